public import SystemSupport
import Synchronization

/// Keeps records in memory, for tests.
public final class MemoryLogSink: LogSink {
    private let storage = Mutex<[LogRecord]>([])

    public init() {}

    public func write(_ record: LogRecord) { storage.withLock { $0.append(record) } }

    public var records: [LogRecord] { storage.withLock { $0 } }

    public func records(named event: String) -> [LogRecord] { records.filter { $0.event == event } }
}
