import Foundation
import SystemSupport

/// Log lines on stderr: `level event key=value …`.
struct StandardErrorLogSink: LogSink {
    func write(_ record: LogRecord) {
        var line = "\(record.level) \(record.event)"
        for (key, value) in record.fields {
            line += value.contains(" ") ? " \(key)=\(value.debugDescription)" : " \(key)=\(value)"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
