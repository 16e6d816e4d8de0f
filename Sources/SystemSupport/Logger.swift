import Synchronization

/// Log levels, lowest first.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case trace, debug, info, notice, warning, error, critical

    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }

    public init?(name: String) {
        guard let level = Self.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = level
    }
}

/// One structured log record: a stable dotted event name and keyed, typed fields. Messages are
/// constant; the data goes in the fields.
public struct LogRecord: Sendable, Equatable {
    public var level: LogLevel
    public var event: String
    public var fields: [(String, LogValue)]

    public init(level: LogLevel, event: String, fields: [(String, LogValue)]) {
        self.level = level
        self.event = event
        self.fields = fields
    }

    /// The first field with this key, as text (`"0"` for `.int(0)`); `value(of:)` keeps the type.
    public subscript(key: String) -> String? { value(of: key)?.description }

    /// The first field with this key.
    public func value(of key: String) -> LogValue? { fields.first(where: { $0.0 == key })?.1 }

    public static func == (a: LogRecord, b: LogRecord) -> Bool {
        a.level == b.level && a.event == b.event && a.fields.elementsEqual(b.fields, by: { $0 == $1 })
    }
}

/// Where records go. The daemon writes JSON or text lines; tests keep them in memory.
public protocol LogSink: Sendable {
    func write(_ record: LogRecord)
}

/// A logger libraries take (they never make their own): a sink, a minimum level and fields
/// added to every record.
public struct Logger: Sendable {
    public var level: LogLevel
    public var sink: any LogSink
    public var metadata: [(String, LogValue)]

    public init(level: LogLevel = .info, sink: any LogSink, metadata: [(String, LogValue)] = []) {
        self.level = level
        self.sink = sink
        self.metadata = metadata
    }

    /// A logger that drops everything.
    public static var disabled: Logger { Logger(level: .critical, sink: NullLogSink()) }

    @inlinable
    public func isEnabled(_ level: LogLevel) -> Bool { level >= self.level }

    public func log(_ level: LogLevel, _ event: String, _ fields: @autoclosure () -> [(String, LogValue)] = []) {
        guard isEnabled(level) else { return }
        sink.write(LogRecord(level: level, event: event, fields: metadata + fields()))
    }

    public func debug(_ event: String, _ fields: @autoclosure () -> [(String, LogValue)] = []) { log(.debug, event, fields()) }
    public func info(_ event: String, _ fields: @autoclosure () -> [(String, LogValue)] = []) { log(.info, event, fields()) }
    public func notice(_ event: String, _ fields: @autoclosure () -> [(String, LogValue)] = []) { log(.notice, event, fields()) }
    public func warning(_ event: String, _ fields: @autoclosure () -> [(String, LogValue)] = []) { log(.warning, event, fields()) }
    public func error(_ event: String, _ fields: @autoclosure () -> [(String, LogValue)] = []) { log(.error, event, fields()) }
}

public struct NullLogSink: LogSink {
    public init() {}
    public func write(_ record: LogRecord) {}
}
