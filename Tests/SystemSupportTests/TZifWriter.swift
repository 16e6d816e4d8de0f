/// Writes TZif files (RFC 8536) for tests: a version 1 file, or version 2+ with both blocks and
/// a footer. Fields can be set to nonsense to make damaged files.
struct TZifWriter {
    struct LocalTimeType {
        var utcOffset: Int32
        var isDST: UInt8 = 0
        var abbreviationIndex: UInt8 = 0
    }

    /// 0 for version 1, else `2`, `3` or `4` (the digit's ASCII code is written).
    var version: UInt8 = 2
    var transitions: [Int64] = []
    var transitionTypes: [UInt8] = []
    var types: [LocalTimeType] = [LocalTimeType(utcOffset: 0)]
    /// NUL-separated abbreviations, e.g. "LMT\0IST\0IDT\0".
    var abbreviations = "UTC\0"
    /// Without the newlines around it. Version 2+ only.
    var footer = ""
    /// Leap second records (occurrence, correction).
    var leapSeconds: [(Int64, Int32)] = []
    /// Counts to write instead of the true ones: [isut, isstd, leap, time, type, char].
    var countOverrides: [Int: UInt32] = [:]

    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        if version == 0 {
            block(timeSize: 4, version: 0, into: &out)
        } else {
            // The version 1 block holds what fits in 32 bits, as zic writes it.
            var v1 = self
            let fits = transitions.indices.filter { Int64(Int32.min) <= transitions[$0] && transitions[$0] <= Int64(Int32.max) }
            v1.transitions = fits.map { transitions[$0] }
            v1.transitionTypes = fits.map { transitionTypes[$0] }
            v1.block(timeSize: 4, version: UInt8(ascii: "0") + version, into: &out)
            block(timeSize: 8, version: UInt8(ascii: "0") + version, into: &out)
            out.append(0x0A)
            out.append(contentsOf: footer.utf8)
            out.append(0x0A)
        }
        return out
    }

    private func block(timeSize: Int, version: UInt8, into out: inout [UInt8]) {
        out.append(contentsOf: "TZif".utf8)
        out.append(version)
        out.append(contentsOf: [UInt8](repeating: 0, count: 15))
        let counts = [0, 0, leapSeconds.count, transitions.count, types.count, abbreviations.utf8.count]
        for (index, count) in counts.enumerated() { Self.append(UInt64(countOverrides[index] ?? UInt32(count)), size: 4, to: &out) }
        for time in transitions { Self.append(UInt64(bitPattern: time), size: timeSize, to: &out) }
        out.append(contentsOf: transitionTypes)
        for type in types {
            Self.append(UInt64(UInt32(bitPattern: type.utcOffset)), size: 4, to: &out)
            out.append(type.isDST)
            out.append(type.abbreviationIndex)
        }
        out.append(contentsOf: abbreviations.utf8)
        for (occurrence, correction) in leapSeconds {
            Self.append(UInt64(bitPattern: occurrence), size: timeSize, to: &out)
            Self.append(UInt64(UInt32(bitPattern: correction)), size: 4, to: &out)
        }
    }

    private static func append(_ value: UInt64, size: Int, to out: inout [UInt8]) {
        for shift in stride(from: (size - 1) * 8, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
