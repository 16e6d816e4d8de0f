import AgentCore
import Foundation
import Store

/// The calendar day a report covers: `YYYY-MM-DD` in a time zone (the call center's, not UTC),
/// as a range of timestamps; a DST day is 23 or 25 hours long.
struct ReportDay: Sendable, Equatable {
    var name: String
    var timeZone: TimeZone
    var range: Range<Timestamp>

    /// `day` (default: the day `now` falls in) in `zone` (an IANA name; default the system's).
    static func parse(day: String?, zone: String?, now: Timestamp) -> Result<ReportDay, APIFailure> {
        var timeZone = TimeZone.current
        if let zone {
            guard zone.utf8.count <= 64, let named = TimeZone(identifier: zone) else {
                return .failure(.badRequest("invalid_field", "tz must be a time zone name such as Asia/Jerusalem, not \(zone.prefix(64))"))
            }
            timeZone = named
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let calendarDay: CalendarDay
        if let day {
            guard let parsed = CalendarDay(day) else {
                return .failure(.badRequest("invalid_field", "day must be a date written YYYY-MM-DD, not \(day.prefix(32))"))
            }
            calendarDay = parsed
        } else {
            let date = Date(timeIntervalSince1970: Double(now.millisecondsSince1970) / 1000)
            let today = calendar.dateComponents([.year, .month, .day], from: date)
            calendarDay = CalendarDay(year: today.year ?? 1970, month: today.month ?? 1, day: today.day ?? 1)
        }
        guard let noon = calendar.date(from: DateComponents(year: calendarDay.year, month: calendarDay.month, day: calendarDay.day, hour: 12))
        else { return .failure(.badRequest("invalid_field", "day cannot be placed in \(timeZone.identifier)")) }
        let instant = Timestamp(millisecondsSince1970: Int64(noon.timeIntervalSince1970 * 1000))
        return .success(
            ReportDay(name: calendarDay.description, timeZone: timeZone, range: Store.day(containing: instant, in: timeZone)))
    }
}
