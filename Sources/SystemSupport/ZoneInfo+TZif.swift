extension ZoneInfo {
    /// Reads a TZif file (RFC 8536): version 1 with 32-bit transition times, or versions 2 to 4,
    /// whose first (32-bit) block is skipped for the second, with 64-bit times and a footer
    /// holding the POSIX rule for instants after the last transition.
    ///
    /// Every count is checked against the bytes there before anything is allocated, so a
    /// truncated or hostile file is an error, never a crash or a large allocation. Files with
    /// leap seconds (the `right/` zones) are refused: their times are not POSIX times.
    public init(tzif bytes: [UInt8], identifier: String) throws(TZifError) {
        var reader = TZifReader(bytes: bytes)
        let first = try reader.header()
        let zone: ZoneInfo
        if first.version == 0 {
            zone = try reader.body(first, timeSize: 4, identifier: identifier)
        } else {
            try reader.skip(first.length(timeSize: 4))
            let second = try reader.header()
            guard second.version != 0 else { throw TZifError("the second header says version 1") }
            let table = try reader.body(second, timeSize: 8, identifier: identifier)
            let footer = try reader.footer()
            let rule: POSIXTimeZoneRule?
            if footer.isEmpty {
                rule = nil
            } else {
                guard let parsed = POSIXTimeZoneRule(footer) else { throw TZifError("the footer \"\(footer.prefix(64))\" is not a POSIX TZ rule") }
                rule = parsed
            }
            zone = ZoneInfo(
                identifier: identifier, transitions: table.transitions, transitionTypes: table.transitionTypes, types: table.types, rule: rule)
        }
        self = zone
    }
}

/// What is wrong with a TZif file.
public struct TZifError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// A cursor over a TZif file's bytes that never reads past their end.
struct TZifReader {
    let bytes: [UInt8]
    var index = 0

    /// The six counts of a header, and the version.
    struct Header {
        var version: UInt8
        var isUTCCount: Int
        var isStandardCount: Int
        var leapCount: Int
        var timeCount: Int
        var typeCount: Int
        var characterCount: Int

        /// Bytes in the data block after this header, at most about 2^38: no overflow in an `Int`.
        func length(timeSize: Int) -> Int {
            timeCount * timeSize + timeCount + typeCount * 6 + characterCount + leapCount * (timeSize + 4) + isStandardCount
                + isUTCCount
        }
    }

    mutating func header() throws(TZifError) -> Header {
        guard remaining >= 44 else { throw TZifError("truncated header") }
        guard bytes[index..<index + 4].elementsEqual("TZif".utf8) else { throw TZifError("no TZif magic") }
        let versionByte = bytes[index + 4]
        let version: UInt8
        switch versionByte {
        case 0: version = 0
        case UInt8(ascii: "2")...UInt8(ascii: "9"): version = versionByte - UInt8(ascii: "0")
        default: throw TZifError("unknown version byte \(versionByte)")
        }
        index += 20
        let counts = (0..<6).map { _ in Int(uint32()) }
        let header = Header(
            version: version, isUTCCount: counts[0], isStandardCount: counts[1], leapCount: counts[2], timeCount: counts[3],
            typeCount: counts[4], characterCount: counts[5])
        // RFC 8536 §3.1: at least one type and one character, and the indicators all or none.
        guard header.typeCount >= 1, header.typeCount <= 256 else { throw TZifError("\(header.typeCount) local time types") }
        guard header.characterCount >= 1 else { throw TZifError("no abbreviation characters") }
        guard header.isUTCCount == 0 || header.isUTCCount == header.typeCount,
            header.isStandardCount == 0 || header.isStandardCount == header.typeCount
        else { throw TZifError("indicator counts differ from the type count") }
        guard header.leapCount == 0 else { throw TZifError("leap seconds are not supported (a right/ zone)") }
        return header
    }

    mutating func skip(_ count: Int) throws(TZifError) {
        guard count <= remaining else { throw TZifError("truncated data block") }
        index += count
    }

    /// The transitions and local time types of the data block after `header`.
    mutating func body(_ header: Header, timeSize: Int, identifier: String) throws(TZifError) -> ZoneInfo {
        guard header.length(timeSize: timeSize) <= remaining else { throw TZifError("truncated data block") }
        var transitions: [Int64] = []
        transitions.reserveCapacity(header.timeCount)
        for _ in 0..<header.timeCount {
            let time = timeSize == 4 ? Int64(Int32(bitPattern: uint32())) : Int64(bitPattern: uint64())
            if let last = transitions.last, time <= last { throw TZifError("transition times out of order") }
            transitions.append(time)
        }
        let transitionTypes = Array(bytes[index..<index + header.timeCount])
        index += header.timeCount
        guard transitionTypes.allSatisfy({ Int($0) < header.typeCount }) else { throw TZifError("a transition to a type that is not there") }
        var records: [(utcOffset: Int32, isDST: UInt8, abbreviationIndex: Int)] = []
        for _ in 0..<header.typeCount {
            let utcOffset = Int32(bitPattern: uint32())
            let isDST = bytes[index]
            let abbreviationIndex = Int(bytes[index + 1])
            index += 2
            guard Int64(utcOffset).magnitude <= ZoneInfo.maximumOffset else { throw TZifError("a UTC offset of \(utcOffset) seconds") }
            guard isDST <= 1 else { throw TZifError("a DST flag of \(isDST)") }
            guard abbreviationIndex < header.characterCount else { throw TZifError("an abbreviation index past the characters") }
            records.append((utcOffset, isDST, abbreviationIndex))
        }
        let characters = bytes[index..<index + header.characterCount]
        index += header.characterCount
        var types: [ZoneInfo.LocalTimeType] = []
        for record in records {
            let start = characters.startIndex + record.abbreviationIndex
            guard let end = characters[start...].firstIndex(of: 0) else { throw TZifError("an abbreviation without its NUL") }
            types.append(
                ZoneInfo.LocalTimeType(
                    utcOffset: Int(record.utcOffset), isDaylightSavingTime: record.isDST == 1,
                    abbreviation: String(decoding: characters[start..<end], as: UTF8.self)))
        }
        // The standard/wall and UT/local indicators only matter to zic's POSIX-rule fallback.
        index += header.isStandardCount + header.isUTCCount
        return ZoneInfo(identifier: identifier, transitions: transitions, transitionTypes: transitionTypes, types: types, rule: nil)
    }

    /// Version 2 and later: a newline, the POSIX rule (possibly empty), a newline.
    mutating func footer() throws(TZifError) -> String {
        guard remaining >= 1, bytes[index] == 0x0A else { throw TZifError("no footer") }
        let start = index + 1
        // A rule is a few dozen bytes; looking further than this is looking at garbage.
        let limit = min(bytes.count, start + 256)
        guard let end = bytes[start..<limit].firstIndex(of: 0x0A) else { throw TZifError("an unterminated footer") }
        let footer = bytes[start..<end]
        guard footer.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { throw TZifError("a footer that is not printable ASCII") }
        index = end + 1
        return String(decoding: footer, as: UTF8.self)
    }

    // MARK: Bytes (the caller has checked the length)

    private var remaining: Int { bytes.count - index }

    private mutating func uint32() -> UInt32 {
        var value: UInt32 = 0
        for byte in bytes[index..<index + 4] { value = value << 8 | UInt32(byte) }
        index += 4
        return value
    }

    private mutating func uint64() -> UInt64 {
        var value: UInt64 = 0
        for byte in bytes[index..<index + 8] { value = value << 8 | UInt64(byte) }
        index += 8
        return value
    }
}
