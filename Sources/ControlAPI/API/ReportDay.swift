import HTTPWire
import HTTPServing
import Crypt
import AgentCore
import SystemSupport

/// The calendar day a report covers: `YYYY-MM-DD` in a time zone (the call center's, not UTC),
/// as a range of timestamps; a DST day is 23 or 25 hours long.
struct ReportDay: Sendable, Equatable {
    var name: String
    var timeZone: ZoneInfo
    var range: Range<Timestamp>

    /// `day` (default: the day `now` falls in) in `zone` (a tz database name; default the system's).
    static func parse(day: String?, zone: String?, now: Timestamp) -> Result<ReportDay, APIFailure> {
        var timeZone = ZoneInfo.current
        if let zone {
            guard zone.utf8.count <= 64, let named = ZoneInfo(identifier: zone) else {
                return .failure(.badRequest("invalid_field", "tz must be a time zone name such as Asia/Jerusalem, not \(zone.prefix(64))"))
            }
            timeZone = named
        }
        let date: CivilDate
        if let day {
            guard let parsed = CalendarDay(day), let civil = CivilDate(year: parsed.year, month: parsed.month, day: parsed.day) else {
                return .failure(.badRequest("invalid_field", "day must be a date written YYYY-MM-DD, not \(day.prefix(32))"))
            }
            date = civil
        } else {
            date = timeZone.calendarDate(at: now)
        }
        let name = CalendarDay(year: date.year, month: date.month, day: date.day).description
        return .success(ReportDay(name: name, timeZone: timeZone, range: timeZone.timestamps(of: date)))
    }
}
