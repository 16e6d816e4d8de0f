/// One Server-Sent Event (HTML Living Standard, "Server-sent events").
public struct ServerSentEvent: Sendable, Hashable {
    public var id: String?
    public var event: String?
    /// Split on CR LF, CR and LF into one `data:` line each.
    public var data: String
    /// The reconnection time the client should use, in milliseconds.
    public var retry: Int?

    public init(id: String? = nil, event: String? = nil, data: String, retry: Int? = nil) {
        self.id = id
        self.event = event
        self.data = data
        self.retry = retry
    }

    /// `id:`, `event:`, `retry:` and `data:` lines, then the blank line that dispatches the event.
    /// CR, LF and NUL are dropped from `id` and `event`, so no value can add a line or a field (and
    /// no `id` is one the client would ignore).
    public func serialized() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(data.utf8.count + 32)
        if let id { Self.appendField("id", Self.singleLine(id), to: &bytes) }
        if let event { Self.appendField("event", Self.singleLine(event), to: &bytes) }
        if let retry, retry >= 0 { Self.appendField("retry", Array(String(retry).utf8), to: &bytes) }
        var line: [UInt8] = []
        var previous: UInt8 = 0
        for byte in data.utf8 {
            switch byte {
            case ASCII.lf where previous == ASCII.cr:
                break  // the second half of CR LF
            case ASCII.cr, ASCII.lf:
                Self.appendField("data", line, to: &bytes)
                line.removeAll(keepingCapacity: true)
            default:
                line.append(byte)
            }
            previous = byte
        }
        Self.appendField("data", line, to: &bytes)
        bytes.append(ASCII.lf)
        return bytes
    }

    /// `: text` and a blank line: a comment the client ignores, to keep a quiet stream alive.
    public static func comment(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = [ASCII.colon, ASCII.space]
        bytes.append(contentsOf: singleLine(text))
        bytes.append(contentsOf: [ASCII.lf, ASCII.lf])
        return bytes
    }

    /// The headers of an event stream response, for `HTTPResponse.serializedStreamHead(date:)`.
    public static var responseHeaders: HTTPHeaders {
        ["Content-Type": "text/event-stream", "Cache-Control": "no-store"]
    }

    /// The `Last-Event-ID` request header's value as the client's last seen id: trimmed, nil when
    /// missing, empty, longer than `maximumLength` bytes or containing a control character.
    public static func lastEventID(fromHeader value: String?, maximumLength: Int = 256) -> String? {
        guard let value else { return nil }
        let trimmed = Substring(value).trimmingOWS()
        guard !trimmed.isEmpty, trimmed.utf8.count <= maximumLength,
            trimmed.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F })
        else { return nil }
        return String(trimmed)
    }

    /// `Last-Event-ID` as a sequence number: decimal digits only, no sign, fits in `UInt64`.
    public static func lastEventSequence(fromHeader value: String?) -> UInt64? {
        guard let id = lastEventID(fromHeader: value), id.utf8.count <= 20,
            id.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { return nil }
        return UInt64(id)
    }

    private static func singleLine(_ value: String) -> [UInt8] {
        value.utf8.filter { $0 != ASCII.cr && $0 != ASCII.lf && $0 != 0 }
    }

    private static func appendField(_ name: StaticString, _ value: [UInt8], to bytes: inout [UInt8]) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(ASCII.colon)
        bytes.append(ASCII.space)
        bytes.append(contentsOf: value)
        bytes.append(ASCII.lf)
    }
}
