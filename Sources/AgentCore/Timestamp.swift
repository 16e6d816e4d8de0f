/// Wall-clock time as milliseconds since 1970, passed into the core with every input (the core
/// never reads a clock). Wall time, not monotonic: deadlines must survive a restart, derived
/// from the recorded start of a status.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var millisecondsSince1970: Int64

    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = millisecondsSince1970
    }

    public init(seconds: Int64) {
        millisecondsSince1970 = seconds * 1000
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.millisecondsSince1970 < b.millisecondsSince1970 }

    public static func + (time: Timestamp, duration: Duration) -> Timestamp {
        let (seconds, attoseconds) = duration.components
        return Timestamp(millisecondsSince1970: time.millisecondsSince1970 + seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }

    public var description: String { "t+\(millisecondsSince1970)ms" }
}
