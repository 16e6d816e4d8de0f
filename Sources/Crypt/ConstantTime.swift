/// Whether `a` and `b` hold the same bytes, in a time that depends on their lengths only: every
/// byte is looked at whatever the first difference, so a client timing the answer to a guessed
/// token learns nothing of how much of it was right. Different lengths answer false at once (a
/// token's length is no secret).
public func constantTimeEquals(_ a: some Collection<UInt8>, _ b: some Collection<UInt8>) -> Bool {
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for (x, y) in zip(a, b) { difference |= x ^ y }
    return difference == 0
}
