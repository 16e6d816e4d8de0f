public import AgentCore
public import SystemSupport

extension ZoneInfo {
    /// The calendar date here at `time` (the call center's, not UTC).
    public func calendarDate(at time: Timestamp) -> CivilDate {
        let milliseconds = time.millisecondsSince1970
        let seconds = milliseconds / 1000 - (milliseconds % 1000 < 0 ? 1 : 0)  // rounded down, before 1970 too
        return civilDate(at: seconds)
    }

    /// `date` here, from its first instant to the next day's (see `startOfDay`): 24 hours, 23
    /// or 25 on a DST change.
    public func timestamps(of date: CivilDate) -> Range<Timestamp> {
        let seconds = day(date)
        return Timestamp(millisecondsSince1970: seconds.lowerBound * 1000)..<Timestamp(millisecondsSince1970: seconds.upperBound * 1000)
    }

    /// The calendar day containing `time`, here.
    public func timestamps(ofDayContaining time: Timestamp) -> Range<Timestamp> {
        timestamps(of: calendarDate(at: time))
    }
}
