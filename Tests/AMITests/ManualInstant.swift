/// A point on a clock that moves only when a test says so: the time since the test began.
struct ManualInstant: InstantProtocol, CustomStringConvertible {
    var sinceStart: Duration

    static let start = ManualInstant(sinceStart: .zero)

    func advanced(by duration: Duration) -> ManualInstant { ManualInstant(sinceStart: sinceStart + duration) }
    func duration(to other: ManualInstant) -> Duration { other.sinceStart - sinceStart }
    static func < (a: ManualInstant, b: ManualInstant) -> Bool { a.sinceStart < b.sinceStart }

    var description: String { "t+\(sinceStart.milliseconds)ms" }
}
