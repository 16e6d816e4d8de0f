import AMI
import Foundation
import SystemSupport

/// One manager connection: its socket, decoder, pending output and login state. Loop-confined.
final class AMISession {
    let id: Int
    let fd: Int32
    let localAddress: String
    let remoteAddress: String
    /// Asterisk shows the session's pointer; a made-up one of the same shape.
    let sessionID: String
    let connectedAt = Date()
    var decoder = AMIFrameDecoder(expectsBanner: false)

    /// Unsent bytes: `output[outputStart...]`.
    var output: [UInt8] = []
    var outputStart = 0
    /// When a write first would have blocked with output still pending; nil while writes get through.
    var blockedSince: ContinuousClock.Instant?
    var writeTimer: TimerID?

    var user: SimulatorConfiguration.User?
    /// The `Events` mask; events go out when both it and the user's read classes allow them.
    var eventMask: EventClass = .all
    var challenge: String?
    /// Set after a failed login or Logoff: nothing more is read.
    var closing = false
    /// Close once the pending output is written.
    var closeWhenDrained = false
    /// While a synchronous Originate runs, events for this session wait here (as in Asterisk).
    var holdingEvents = 0
    var heldEvents: [[UInt8]] = []
    /// Events queued for this session so far (held ones included; list events answering an action not).
    var eventsSent = 0
    var filters: [NSRegularExpression] = []

    init(id: Int, fd: Int32, localAddress: String, remoteAddress: String) {
        self.id = id
        self.fd = fd
        self.localAddress = localAddress
        self.remoteAddress = remoteAddress
        self.sessionID = "0x7fad" + String(0x5000_0000 + id * 0x1460, radix: 16)
    }

    var authenticated: Bool { user != nil }
    var pendingOutput: Int { output.count - outputStart }

    func wants(_ eventClass: EventClass) -> Bool {
        guard let user else { return false }
        return !eventMask.isDisjoint(with: eventClass) && !user.read.isDisjoint(with: eventClass)
    }
}
