/// A time zone of the tz database (`Asia/Jerusalem`), read from the system's compiled files
/// (`/usr/share/zoneinfo`, TZif, RFC 8536) instead of ICU: the UTC offset at any instant, and
/// where a local calendar day begins and ends.
///
/// The zone is its table of transitions (each instant at which the offset, the abbreviation or
/// DST changed) and, for instants after the last one, the POSIX rule of the file's footer.
public struct ZoneInfo: Sendable, Hashable {
    /// What local time is during one stretch: its offset, whether it is DST, its abbreviation.
    public struct LocalTimeType: Sendable, Hashable {
        /// Seconds east of UTC: `7200` in Jerusalem in winter, `-18000` in New York.
        public let utcOffset: Int
        public let isDaylightSavingTime: Bool
        /// `IST`, `EDT`, `-03`.
        public let abbreviation: String

        public init(utcOffset: Int, isDaylightSavingTime: Bool, abbreviation: String) {
            self.utcOffset = utcOffset
            self.isDaylightSavingTime = isDaylightSavingTime
            self.abbreviation = abbreviation
        }
    }

    /// The name the zone was asked for (`Asia/Jerusalem`, `UTC`) or, for a `TZ` rule, the rule.
    public let identifier: String
    /// UTC seconds, strictly ascending.
    let transitions: [Int64]
    /// For each transition, the index in `types` of the local time that starts there.
    let transitionTypes: [UInt8]
    /// Never empty. The first one is also the local time before the first transition.
    let types: [LocalTimeType]
    /// For instants from the last transition on; when nil, the last transition's type lasts.
    let rule: POSIXTimeZoneRule?

    /// Validated by the caller: `types` not empty, `transitionTypes` as many as `transitions`
    /// and each an index of `types`, `transitions` ascending.
    init(identifier: String, transitions: [Int64], transitionTypes: [UInt8], types: [LocalTimeType], rule: POSIXTimeZoneRule?) {
        precondition(!types.isEmpty && transitions.count == transitionTypes.count)
        self.identifier = identifier
        self.transitions = transitions
        self.transitionTypes = transitionTypes
        self.types = types
        self.rule = rule
    }

    /// A zone that follows `rule` at every instant (`TZ=IST-2IDT,M3.4.4/26,M10.5.0`).
    public init(identifier: String, rule: POSIXTimeZoneRule) {
        self.init(identifier: identifier, transitions: [], transitionTypes: [], types: [rule.standard], rule: rule)
    }

    /// Coordinated Universal Time.
    public static let utc = ZoneInfo(
        identifier: "UTC", rule: POSIXTimeZoneRule(standard: LocalTimeType(utcOffset: 0, isDaylightSavingTime: false, abbreviation: "UTC")))

    /// No zone is further than this from UTC (RFC 8536 bounds a TZif offset to −25:59:59...+25:59:59).
    static let maximumOffset: Int64 = 93_599

    /// Instants further out (about 35 million years) are taken as the nearest end of this range,
    /// so that no arithmetic on them can overflow.
    static let supportedInstants: ClosedRange<Int64> = -(1 << 50)...(1 << 50)

    static func clamp(_ seconds: Int64) -> Int64 {
        min(max(seconds, supportedInstants.lowerBound), supportedInstants.upperBound)
    }

    // MARK: Instants

    /// The local time type in effect at `seconds` since 1970 (UTC): the one started by the last
    /// transition at or before it, the footer's rule from the last transition on, and the first
    /// type before the first transition.
    public func localTimeType(at seconds: Int64) -> LocalTimeType {
        let seconds = Self.clamp(seconds)
        guard let last = transitions.last else { return rule?.localTimeType(at: seconds) ?? types[0] }
        if seconds >= last, let rule { return rule.localTimeType(at: seconds) }
        // The number of transitions at or before `seconds`, by binary search.
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= seconds { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? types[0] : types[Int(transitionTypes[low - 1])]
    }

    /// Seconds east of UTC at `seconds` since 1970.
    public func secondsFromGMT(at seconds: Int64) -> Int {
        localTimeType(at: seconds).utcOffset
    }

    /// The wall clock at `seconds` since 1970.
    public func civilDateTime(at seconds: Int64) -> CivilDateTime {
        let seconds = Self.clamp(seconds)
        return CivilDateTime(secondsSince1970: seconds + Int64(secondsFromGMT(at: seconds)))
    }

    /// The local calendar day `seconds` since 1970 falls in.
    public func civilDate(at seconds: Int64) -> CivilDate {
        civilDateTime(at: seconds).date
    }

    /// The first instant after `seconds` at which the local time type may change; nil when none does.
    func nextTransition(after seconds: Int64) -> Int64? {
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle] <= seconds { low = middle + 1 } else { high = middle }
        }
        if low < transitions.count { return transitions[low] }
        guard seconds < Self.supportedInstants.upperBound else { return nil }
        return rule?.nextChange(after: max(seconds, Self.supportedInstants.lowerBound))
    }

    // MARK: Days

    /// The first instant of `date` in this zone, as UTC seconds: the earliest instant whose wall
    /// clock reads that day. Usually local midnight. When the clocks jump over midnight (DST
    /// starting at 00:00, as in America/Santiago or Asia/Beirut), the day begins at the jump, at
    /// 01:00 local; when midnight comes twice (DST ending at 01:00), at the first one. A day
    /// skipped whole (Pacific/Apia, 2011-12-30) begins and ends where the next day begins.
    public func startOfDay(_ date: CivilDate) -> Int64 {
        let days = min(max(Int64(date.daysSince1970), -(1 << 34)), 1 << 34)
        let midnight = Self.clamp(days * 86_400)
        // Every stretch of constant offset, in order, from an instant still on an earlier day in
        // any zone: the day starts in the first stretch that reaches local midnight, at midnight
        // if that stretch holds it, else at the stretch's start (the clocks jumped past it).
        var start = midnight - Self.maximumOffset - 1
        var offset = Int64(secondsFromGMT(at: start))
        while true {
            let candidate = max(start, midnight - offset)
            guard let next = nextTransition(after: start), next <= candidate else { return candidate }
            start = next
            offset = Int64(secondsFromGMT(at: next))
        }
    }

    /// `date` in this zone as UTC seconds, from its first instant to the next day's: 24 hours,
    /// 23 or 25 on a DST change, 0 for a day the zone skipped.
    public func day(_ date: CivilDate) -> Range<Int64> {
        startOfDay(date)..<startOfDay(date.adding(days: 1))
    }
}
