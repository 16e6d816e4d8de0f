public import FoundationEssentials
public import SystemSupport

/// The API's RFC 3339 times shown in the reader's time zone: `14:02:11` for today,
/// `2026-05-01 14:02` for another day in a table, the full date and time in a block.
public struct LocalTime: Sendable {
    public var timeZone: ZoneInfo
    /// What "today" is measured against.
    public var now: Date

    public init(timeZone: ZoneInfo = .current, now: Date = Date()) {
        self.timeZone = timeZone
        self.now = now
    }

    /// For a table cell: the time of day if it is today, else the date and minute. An unreadable
    /// time is shown as sent.
    public func short(_ text: String) -> String {
        guard let date = Self.parse(text) else { return text }
        let parts = components(date)
        let time = "\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))"
        if parts.date == components(now).date { return time }
        return "\(parts.date) \(pad(parts.hour)):\(pad(parts.minute))"
    }

    /// The time of day only, for `watch`.
    public func timeOfDay(_ date: Date) -> String {
        let parts = components(date)
        return "\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))"
    }

    /// `2026-05-01 14:02:11`.
    public func full(_ text: String) -> String {
        guard let date = Self.parse(text) else { return text }
        return "\(components(date).date) \(timeOfDay(date))"
    }

    /// The wall clock at `date`, to the second (a fraction is dropped, as a calendar does).
    private func components(_ date: Date) -> CivilDateTime {
        timeZone.civilDateTime(at: Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    private func pad(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    /// `2026-05-01T12:02:11Z`, with an optional fraction and a `Z` or `±hh:mm` offset.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54 || bytes[10] == 0x74 || bytes[10] == 0x20,
            bytes[13] == 0x3A, bytes[16] == 0x3A,
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var fraction = 0.0
        if bytes[index] == 0x2E {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 {
                fraction += Double(bytes[index] - 0x30) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        switch bytes[index] {
        case 0x5A, 0x7A:
            guard index + 1 == bytes.count else { return nil }
        case 0x2B, 0x2D:
            guard index + 6 == bytes.count, bytes[index + 3] == 0x3A, let hours = number(index + 1..<index + 3),
                let minutes = number(index + 4..<index + 6)
            else { return nil }
            offset = (hours * 60 + minutes) * 60 * (bytes[index] == 0x2D ? -1 : 1)
        default:
            return nil
        }
        // `day` is 1...31 whatever the month, as before: 2026-02-31 counts on into March.
        let days = CivilDate.daysSince1970(year: year, month: month, day: day)
        let seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}
