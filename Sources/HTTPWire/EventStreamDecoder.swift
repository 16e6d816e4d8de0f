
/// Reads a `text/event-stream` body as it arrives (HTML Living Standard, "Server-sent events",
/// the event stream interpretation): lines end with CR LF, LF or CR; `data` lines are joined
/// with LF; a blank line dispatches; `:` lines are comments; `id` persists across events.
public struct EventStreamDecoder: Sendable {
    /// The id of the last event dispatched, sent back as `Last-Event-ID` on reconnect.
    public private(set) var lastEventID: String?
    /// The reconnection time the server asked for, in milliseconds.
    public private(set) var retry: Int?
    /// A line longer than this ends the stream as malformed (a client must not grow without bound).
    public let maximumLineLength: Int

    private var line: [UInt8] = []
    private var afterCR = false
    private var atStart = true
    private var data: [UInt8] = []
    private var hasData = false
    private var eventType: String?
    /// The `id` read so far; it becomes `lastEventID` when an event is dispatched.
    private var idBuffer: String?

    public init(maximumLineLength: Int = 1 << 20) {
        self.maximumLineLength = maximumLineLength
    }

    /// A line that is too long, with the events the same bytes completed before it: what came
    /// before the bad line must not depend on how the socket cut the stream.
    public struct Failure: Error, Sendable, Equatable {
        public let limit: Int
        public let completed: [ServerSentEvent]

        public init(limit: Int, completed: [ServerSentEvent] = []) {
            self.limit = limit
            self.completed = completed
        }
    }

    /// Every event the bytes complete, in order.
    public mutating func append(_ bytes: some Sequence<UInt8>) throws(Failure) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }  // the LF of CR LF
            }
            switch byte {
            case 0x0D, 0x0A:
                afterCR = byte == 0x0D
                if let event = endLine() { events.append(event) }
            default:
                line.append(byte)
                if line.count > maximumLineLength { throw Failure(limit: maximumLineLength, completed: events) }
            }
        }
        return events
    }

    /// A new connection: a half-read line or event is dropped; the last id and retry stay.
    public mutating func reset() {
        line.removeAll()
        afterCR = false
        atStart = true
        data.removeAll()
        hasData = false
        eventType = nil
        idBuffer = lastEventID
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        if atStart {
            atStart = false
            if line.starts(with: [0xEF, 0xBB, 0xBF]) { line.removeFirst(3) }  // a UTF-8 BOM
        }
        guard !line.isEmpty else { return dispatch() }
        if line[0] == 0x3A { return nil }  // a comment
        let name: [UInt8]
        var value: ArraySlice<UInt8> = []
        if let colon = line.firstIndex(of: 0x3A) {
            name = Array(line[..<colon])
            value = line[(colon + 1)...]
            if value.first == 0x20 { value = value.dropFirst() }
        } else {
            name = line
        }
        switch String(decoding: name, as: UTF8.self) {
        case "data":
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
        case "event":
            eventType = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) { idBuffer = String(decoding: value, as: UTF8.self) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let milliseconds = Int(String(decoding: value, as: UTF8.self)) {
                retry = milliseconds
            }
        default:
            break  // unknown fields are ignored
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            data.removeAll(keepingCapacity: true)
            hasData = false
            eventType = nil
        }
        lastEventID = idBuffer
        guard hasData else { return nil }
        let type = eventType.flatMap { $0.isEmpty ? nil : $0 } ?? "message"
        return ServerSentEvent(id: lastEventID, event: type, data: String(decoding: data, as: UTF8.self))
    }
}
