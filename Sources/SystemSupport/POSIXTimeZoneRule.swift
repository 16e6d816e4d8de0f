/// A POSIX `TZ` rule, as in the footer of a TZif file or the `TZ` variable: standard time and,
/// optionally, daylight saving time with the day and time it starts and ends every year.
/// `IST-2IDT,M3.4.4/26,M10.5.0` (Israel), `<-03>3` (no DST), `EST5EDT,M3.2.0,M11.1.0`.
///
/// The grammar is POSIX's with the TZif version 3 extensions (RFC 8536 §3.3.1): rule times from
/// -167 to 167 hours, so a change may fall on the day before or after the one named.
public struct POSIXTimeZoneRule: Sendable, Hashable {
    public let standard: ZoneInfo.LocalTimeType
    public let daylight: Daylight?

    /// Daylight saving time and when, in each year, it starts and ends.
    public struct Daylight: Sendable, Hashable {
        public let type: ZoneInfo.LocalTimeType
        /// Reckoned in standard time.
        public let start: Change
        /// Reckoned in daylight saving time.
        public let end: Change
    }

    /// A day of the year and a time on it: `M3.4.4/26` is 26:00 on the fourth Thursday in March.
    public struct Change: Sendable, Hashable {
        public enum Day: Sendable, Hashable {
            /// `Jn`: 1...365, February 29 never counted (day 60 is always March 1).
            case julian(Int)
            /// `n`: 0...365, February 29 counted in leap years.
            case zeroBasedDay(Int)
            /// `Mm.w.d`: weekday `d` (0 = Sunday) of week `w` (1...5, 5 is the last) of month `m`.
            case monthWeekDay(month: Int, week: Int, weekday: Int)
        }

        public let day: Day
        /// Seconds after local midnight, -167...167 hours; 02:00 when the rule gives none.
        public let time: Int
    }

    public init(standard: ZoneInfo.LocalTimeType, daylight: Daylight? = nil) {
        self.standard = standard
        self.daylight = daylight
    }

    /// The rule `text` states; nil when it is not a POSIX `TZ` string.
    public init?(_ text: String) {
        var parser = Parser(bytes: Array(text.utf8))
        guard let rule = parser.rule() else { return nil }
        self = rule
    }

    /// The local time type in effect at `seconds` since 1970 (UTC).
    public func localTimeType(at seconds: Int64) -> ZoneInfo.LocalTimeType {
        guard let daylight else { return standard }
        var inDaylight = false
        for change in changes(around: seconds) {
            if change.at > seconds { break }
            inDaylight = change.toDaylight
        }
        return inDaylight ? daylight.type : standard
    }

    /// The first change between standard and daylight saving time after `seconds`; nil without DST.
    func nextChange(after seconds: Int64) -> Int64? {
        changes(around: seconds).first { $0.at > seconds }?.at
    }

    /// The changes from two years before the one `seconds` falls in to the year after, in order.
    /// A change stated up to 167 hours from its day may land in a neighbouring year, so the
    /// state at any instant of the middle years is settled by the last change at or before it.
    private func changes(around seconds: Int64) -> [(at: Int64, toDaylight: Bool)] {
        guard let daylight else { return [] }
        let year = CivilDateTime(secondsSince1970: seconds + Int64(standard.utcOffset)).date.year
        var changes: [(at: Int64, toDaylight: Bool)] = []
        changes.reserveCapacity(8)
        for year in (year - 2)...(year + 1) {
            changes.append((Self.instant(of: daylight.start, in: year, utcOffset: standard.utcOffset), true))
            changes.append((Self.instant(of: daylight.end, in: year, utcOffset: daylight.type.utcOffset), false))
        }
        // At the same instant the end goes first: DST all year is stated as an end on December 31
        // at 24:00 + the DST shift, the same instant as the next year's start (RFC 8536 §3.3.1).
        changes.sort { $0.at != $1.at ? $0.at < $1.at : !$0.toDaylight && $1.toDaylight }
        return changes
    }

    /// `change` in `year`, as UTC seconds, when local time is `utcOffset` seconds ahead of UTC.
    static func instant(of change: Change, in year: Int, utcOffset: Int) -> Int64 {
        let firstDay = CivilDate.daysSince1970(year: year, month: 1, day: 1)
        let day: Int
        switch change.day {
        case .julian(let n):
            day = firstDay + n - 1 + (CivilDate.isLeapYear(year) && n >= 60 ? 1 : 0)
        case .zeroBasedDay(let n):
            day = firstDay + n
        case .monthWeekDay(let month, let week, let weekday):
            let first = CivilDate.daysSince1970(year: year, month: month, day: 1)
            let firstWeekday = CivilDate(daysSince1970: first).weekday
            var dayOfMonth = 1 + (weekday - firstWeekday + 7) % 7 + 7 * (week - 1)
            let length = CivilDate.days(inMonth: month, of: year)
            while dayOfMonth > length { dayOfMonth -= 7 }
            day = first + dayOfMonth - 1
        }
        return Int64(day) * 86_400 + Int64(change.time) - Int64(utcOffset)
    }
}
