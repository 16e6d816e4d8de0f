import AgentCore
import Foundation

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
        var components: DateComponents
        if let day {
            let parts = day.split(separator: "-", omittingEmptySubsequences: false)
            guard day.utf8.count == 10, parts.count == 3, parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
                let year = Int(parts[0]), let month = Int(parts[1]), let dayOfMonth = Int(parts[2]), (1...9999).contains(year)
            else { return .failure(.badRequest("invalid_field", "day must be YYYY-MM-DD, not \(day.prefix(32))")) }
            components = DateComponents(year: year, month: month, day: dayOfMonth)
            guard components.isValidDate(in: calendar) else {
                return .failure(.badRequest("invalid_field", "day \(day) is not a date"))
            }
        } else {
            let date = Date(timeIntervalSince1970: Double(now.millisecondsSince1970) / 1000)
            components = calendar.dateComponents([.year, .month, .day], from: date)
        }
        guard let start = calendar.date(from: components), let end = calendar.date(byAdding: .day, value: 1, to: start),
            let year = components.year, let month = components.month, let dayOfMonth = components.day
        else { return .failure(.badRequest("invalid_field", "day cannot be placed in \(timeZone.identifier)")) }
        let name = String(format: "%04d-%02d-%02d", year, month, dayOfMonth)
        return .success(ReportDay(name: name, timeZone: timeZone, range: milliseconds(start)..<milliseconds(end)))
    }

    private static func milliseconds(_ date: Date) -> Timestamp {
        Timestamp(millisecondsSince1970: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }
}
