extension HTTPRequestDecoder {
    /// The path segments and query items of a request-target (its bytes already checked to be
    /// visible ASCII without `#`): origin-form `/a/b?x=1`, absolute-form `http://host/a/b`, or `*`
    /// for OPTIONS.
    static func targetComponents(
        _ target: UnsafeBufferPointer<UInt8>, method: String
    ) throws(HTTPError) -> ([String], [HTTPQueryItem]) {
        let slash: UInt8 = 0x2F
        let question: UInt8 = 0x3F
        guard !target.isEmpty else { throw .badRequest("empty request target") }
        if target.count == 1, target[0] == 0x2A {
            guard method == "OPTIONS" else { throw .badRequest("asterisk-form target outside OPTIONS") }
            return ([], [])
        }
        var pathStart = 0
        if target[0] != slash {
            guard let authorityStart = schemeLength(target) else { throw .badRequest("invalid request target") }
            pathStart = authorityStart
            while pathStart < target.count, target[pathStart] != slash, target[pathStart] != question { pathStart += 1 }
            guard pathStart > authorityStart else { throw .badRequest("absolute-form target without authority") }
        }
        var queryStart = pathStart
        while queryStart < target.count, target[queryStart] != question { queryStart += 1 }

        var segments: [String] = []
        if queryStart - pathStart > 1 {
            var segmentStart = pathStart + 1
            for index in pathStart + 1...queryStart where index == queryStart || target[index] == slash {
                let segment = try decoded(target, segmentStart..<index, plusIsSpace: false)
                if segment == ".." || segment == "." { throw .badRequest("dot segment in path") }
                segments.append(segment)
                segmentStart = index + 1
            }
        }

        var items: [HTTPQueryItem] = []
        if queryStart < target.count {
            var itemStart = queryStart + 1
            for index in queryStart + 1...target.count where index == target.count || target[index] == 0x26 {
                if index > itemStart {
                    var equals = itemStart
                    while equals < index, target[equals] != 0x3D { equals += 1 }
                    let name = try decoded(target, itemStart..<equals, plusIsSpace: true)
                    let value = equals < index ? try decoded(target, equals + 1..<index, plusIsSpace: true) : ""
                    items.append(HTTPQueryItem(name: name, value: value))
                }
                itemStart = index + 1
            }
        }
        return (segments, items)
    }

    /// `http://` or `https://`, any case: the index after it.
    private static func schemeLength(_ target: UnsafeBufferPointer<UInt8>) -> Int? {
        for scheme in ["http://", "https://"] {
            let bytes = scheme.utf8
            if target.count > bytes.count, zip(target, bytes).allSatisfy({ ASCII.lowercased($0) == $1 }) {
                return bytes.count
            }
        }
        return nil
    }

    /// Percent-decoded UTF-8 without NUL.
    static func decoded(_ b: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, plusIsSpace: Bool) throws(HTTPError) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = b[index]
            if byte == ASCII.percent {
                guard index + 2 < range.upperBound,
                    let high = ASCII.hexValue(b[index + 1]), let low = ASCII.hexValue(b[index + 2])
                else { throw .badRequest("invalid percent-encoding in target") }
                let value = high << 4 | low
                guard value != 0 else { throw .badRequest("NUL in target") }
                bytes.append(value)
                index += 3
            } else {
                bytes.append(plusIsSpace && byte == 0x2B ? ASCII.space : byte)
                index += 1
            }
        }
        guard let string = String(validating: bytes, as: UTF8.self) else { throw .badRequest("target is not UTF-8") }
        return string
    }
}
