#if canImport(Glibc)
import Glibc
#endif

/// The `Date` header's value, an IMF-fixdate (RFC 9110 §5.6.7): `Sun, 06 Nov 1994 08:49:37 GMT`.
/// An origin server with a clock must send it with every final response.
public enum HTTPDate {
    private static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The date `seconds` after 1970-01-01 00:00:00 UTC; nil when it has no four-digit year.
    public static func imfFixdate(secondsSince1970 seconds: Int) -> String? {
        var time = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil else { return nil }
        let year = Int(parts.tm_year) + 1900
        guard (0...9999).contains(year), weekdays.indices.contains(Int(parts.tm_wday)), months.indices.contains(Int(parts.tm_mon)) else {
            return nil
        }
        return "\(weekdays[Int(parts.tm_wday)]), \(digits(parts.tm_mday, 2)) \(months[Int(parts.tm_mon)]) \(digits(year, 4)) "
            + "\(digits(parts.tm_hour, 2)):\(digits(parts.tm_min, 2)):\(digits(parts.tm_sec, 2)) GMT"
    }

    private static func digits(_ value: some BinaryInteger, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

/// The current `Date` value, formatted at most once a second: a response then costs a clock read,
/// not a formatting.
public struct HTTPDateCache: Sendable {
    public init() {}

    private var second = Int.min
    private var value: String?

    /// The value for the wall-clock second `seconds` (the last one's when it is the same second).
    public mutating func value(at seconds: Int) -> String? {
        if seconds != second {
            second = seconds
            value = HTTPDate.imfFixdate(secondsSince1970: seconds)
        }
        return value
    }
}
