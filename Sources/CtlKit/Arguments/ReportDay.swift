public import SystemSupport

/// `--day` of `ccagentctl report`: checked with the daemon's own parser before any request.
public typealias ReportDay = CalendarDay
