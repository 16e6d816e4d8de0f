print("amisim: not yet")
