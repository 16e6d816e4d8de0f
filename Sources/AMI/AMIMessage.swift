#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One AMI frame: an ordered list of `Key: Value` headers, keys repeatable (`ChanVariable`,
/// `Output`), looked up case-insensitively.
///
/// The frame's bytes are kept once and headers are byte ranges into them, so decoding costs two
/// allocations per frame; a `String` is made only when a key or value is asked for.
public struct AMIMessage: Sendable, Hashable, CustomStringConvertible {
    @usableFromInline
    struct Field: Sendable, Hashable {
        @usableFromInline var keyStart: UInt32
        @usableFromInline var keyEnd: UInt32
        @usableFromInline var valueStart: UInt32
        @usableFromInline var valueEnd: UInt32
    }

    public enum Kind: Sendable, Equatable {
        case response, event, action, unknown
    }

    @usableFromInline let bytes: [UInt8]
    @usableFromInline let fields: [Field]

    init(bytes: [UInt8], fields: [Field]) {
        self.bytes = bytes
        self.fields = fields
    }

    /// A message built from headers, in order. Used by the simulator and for tests.
    public init(_ headers: [(String, String)]) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headers.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 4 })
        var fields: [Field] = []
        fields.reserveCapacity(headers.count)
        for (key, value) in headers {
            let keyStart = UInt32(bytes.count)
            bytes.append(contentsOf: key.utf8)
            let keyEnd = UInt32(bytes.count)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(UInt8(ascii: " "))
            let valueStart = UInt32(bytes.count)
            bytes.append(contentsOf: value.utf8)
            fields.append(Field(keyStart: keyStart, keyEnd: keyEnd, valueStart: valueStart, valueEnd: UInt32(bytes.count)))
            bytes.append(UInt8(ascii: "\r"))
            bytes.append(UInt8(ascii: "\n"))
        }
        self.init(bytes: bytes, fields: fields)
    }

    public var count: Int { fields.count }

    /// The same message holding storage for exactly its fields. The decoder hands each message
    /// its scratch array, whose spare capacity (twice what most frames use) is reused when the
    /// message is gone by the next frame and wasted when it is kept: compact before keeping one.
    func compacted() -> AMIMessage {
        guard fields.capacity > fields.count else { return self }
        let exact = [Field](unsafeUninitializedCapacity: fields.count) { out, count in
            count = out.initialize(fromContentsOf: fields)
        }
        return AMIMessage(bytes: bytes, fields: exact)
    }

    /// Every header, in wire order.
    public var headers: [(key: String, value: String)] {
        fields.map { (key: string($0.keyStart, $0.keyEnd), value: string($0.valueStart, $0.valueEnd)) }
    }

    public var kind: Kind {
        guard let first = fields.first else { return .unknown }
        if keyEquals(first, "Response") { return .response }
        if keyEquals(first, "Event") { return .event }
        if keyEquals(first, "Action") { return .action }
        return .unknown
    }

    /// The first value of `key`, compared case-insensitively (ASCII); nil when absent.
    public subscript(key: String) -> String? {
        for field in fields where keyEquals(field, key) { return string(field.valueStart, field.valueEnd) }
        return nil
    }

    /// Every value of a repeated key, in order.
    public func values(_ key: String) -> [String] {
        fields.filter { keyEquals($0, key) }.map { string($0.valueStart, $0.valueEnd) }
    }

    /// Whether `key` is present with exactly `value` (case-sensitive on the value), without
    /// making a `String`: the cheap test for `Event: Hangup` on a hot path.
    public func has(_ key: String, _ value: String) -> Bool {
        for field in fields where keyEquals(field, key) {
            return bytesEqual(field.valueStart, field.valueEnd, value)
        }
        return false
    }

    public var name: String? {
        guard let first = fields.first else { return nil }
        return string(first.valueStart, first.valueEnd)
    }

    public var actionID: String? { self["ActionID"] }

    /// The exact bytes of this message on the wire, with CRLF line ends and the closing blank line.
    public var wireBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + fields.count * 2 + 2)
        for field in fields {
            out.append(contentsOf: bytes[Int(field.keyStart)..<Int(field.keyEnd)])
            out.append(UInt8(ascii: ":"))
            out.append(UInt8(ascii: " "))
            out.append(contentsOf: bytes[Int(field.valueStart)..<Int(field.valueEnd)])
            out.append(UInt8(ascii: "\r"))
            out.append(UInt8(ascii: "\n"))
        }
        out.append(UInt8(ascii: "\r"))
        out.append(UInt8(ascii: "\n"))
        return out
    }

    public var description: String { headers.map { "\($0.key): \($0.value)" }.joined(separator: "\n") }

    // Equality is on headers, not on how the bytes were laid out (CRLF vs LF, spaces after ':').
    public static func == (a: AMIMessage, b: AMIMessage) -> Bool {
        guard a.fields.count == b.fields.count else { return false }
        return a.bytes.withUnsafeBufferPointer { x in
            b.bytes.withUnsafeBufferPointer { y in
                for i in a.fields.indices {
                    let f = a.fields[i]
                    let g = b.fields[i]
                    guard Self.rangeEqual(x, f.keyStart, f.keyEnd, y, g.keyStart, g.keyEnd),
                        Self.rangeEqual(x, f.valueStart, f.valueEnd, y, g.valueStart, g.valueEnd)
                    else { return false }
                }
                return true
            }
        }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(fields.count)
        bytes.withUnsafeBytes { raw in
            for field in fields {
                hasher.combine(field.keyEnd - field.keyStart)
                hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: raw[Int(field.valueStart)..<Int(field.valueEnd)]))
            }
        }
    }

    @inline(__always)
    private static func rangeEqual(
        _ x: UnsafeBufferPointer<UInt8>, _ xStart: UInt32, _ xEnd: UInt32,
        _ y: UnsafeBufferPointer<UInt8>, _ yStart: UInt32, _ yEnd: UInt32
    ) -> Bool {
        let count = Int(xEnd - xStart)
        guard count == Int(yEnd - yStart) else { return false }
        guard count > 0, let xBase = x.baseAddress, let yBase = y.baseAddress else { return true }
        return memcmp(xBase + Int(xStart), yBase + Int(yStart), count) == 0
    }

    // MARK: Byte helpers

    @inline(__always)
    private func string(_ start: UInt32, _ end: UInt32) -> String {
        bytes.withUnsafeBufferPointer { buffer in
            String(decoding: UnsafeBufferPointer(rebasing: buffer[Int(start)..<Int(end)]), as: UTF8.self)
        }
    }

    @inline(__always)
    private func keyEquals(_ field: Field, _ key: String) -> Bool {
        let length = Int(field.keyEnd - field.keyStart)
        var key = key
        return key.withUTF8 { wanted in
            guard wanted.count == length else { return false }
            return bytes.withUnsafeBufferPointer { buffer in
                var i = 0
                var j = Int(field.keyStart)
                while i < length {
                    if Self.lower(buffer[j]) != Self.lower(wanted[i]) { return false }
                    i += 1
                    j += 1
                }
                return true
            }
        }
    }

    @inline(__always)
    private func bytesEqual(_ start: UInt32, _ end: UInt32, _ value: String) -> Bool {
        var value = value
        return value.withUTF8 { wanted in
            bytes.withUnsafeBufferPointer { buffer in
                UnsafeBufferPointer(rebasing: buffer[Int(start)..<Int(end)]).elementsEqual(wanted)
            }
        }
    }

    @inline(__always)
    static func lower(_ byte: UInt8) -> UInt8 {
        byte &- 65 < 26 ? byte | 0x20 : byte
    }
}
