/// Header lists to wire bytes. The simulator writes what it builds itself, so it skips the
/// encoder's validation and does one pass: this runs once per event, however many sessions read it.
enum WireEncoding {
    typealias Headers = [(String, String)]

    static func encode(_ headers: Headers) -> [UInt8] {
        var size = 2
        for (key, value) in headers { size += key.utf8.count + value.utf8.count + 4 }
        var out: [UInt8] = []
        out.reserveCapacity(size)
        for (key, value) in headers {
            out.append(contentsOf: key.utf8)
            out.append(0x3A)
            out.append(0x20)
            out.append(contentsOf: value.utf8)
            out.append(0x0D)
            out.append(0x0A)
        }
        out.append(0x0D)
        out.append(0x0A)
        return out
    }
}
