/// A wall-clock reading: the day and the time of day, to the second, in some time zone.
public struct CivilDateTime: Sendable, Hashable, CustomStringConvertible {
    public let date: CivilDate
    /// 0...23.
    public let hour: Int
    /// 0...59.
    public let minute: Int
    /// 0...59.
    public let second: Int

    /// The reading `seconds` seconds after 1970-01-01 00:00:00 on the same clock.
    public init(secondsSince1970 seconds: Int64) {
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        date = CivilDate(daysSince1970: Int(days))
        hour = Int(secondOfDay / 3600)
        minute = Int(secondOfDay % 3600 / 60)
        second = Int(secondOfDay % 60)
    }

    /// `2026-11-21 14:02:11`.
    public var description: String {
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(date) \(pad(hour)):\(pad(minute)):\(pad(second))"
    }
}
