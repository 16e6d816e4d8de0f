// A thin main: everything lives in AMISimulator; see AmisimCommand.
AmisimCommand.run()
