import Foundation
import SystemSupport

/// Log lines on stderr: `level event key=value …`.
struct StandardErrorLogSink: LogSink {
    func write(_ record: LogRecord) {
        var line = "\(record.level) \(record.event)"
        for (key, value) in record.fields {
            let text = value.description
            line += text.contains(" ") ? " \(key)=\(text.debugDescription)" : " \(key)=\(text)"
        }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
