import Testing
import AMI
import AMISimulator
import Foundation
import SystemSupport
import TestSupport

/// A simulator on a free port with timings in milliseconds.
struct LiveSimulator {
    let simulator: AMISimulator
    let port: Int
    let logs: MemoryLogSink

    init(_ adjust: (inout SimulatorConfiguration) -> Void = { _ in }) throws {
        var configuration = SimulatorConfiguration.standard
        configuration.authFailureDelay = .milliseconds(10)
        configuration.timings.ringTime = .milliseconds(60)
        configuration.timings.talkTime = .milliseconds(300)
        configuration.timings.pstnRingTime = .milliseconds(60)
        configuration.timings.pstnTalkTime = .milliseconds(200)
        configuration.timings.queueTimeout = .milliseconds(250)
        configuration.timings.retryTime = .milliseconds(50)
        // A blocking test client on a loaded two-core machine can miss Asterisk's 100 ms write
        // timeout; only the slow-client test wants it.
        configuration.writeTimeout = .seconds(10)
        adjust(&configuration)
        logs = MemoryLogSink()
        simulator = try AMISimulator(configuration: configuration, logger: Logger(level: .debug, sink: logs))
        port = try simulator.start()
    }

    func client() throws -> AMITestClient { try AMITestClient(port: port) }

    func loggedIn(events: String? = nil) throws -> AMITestClient {
        let client = try client()
        client.login(events: events)
        return client
    }
}

/// The recorded transcripts (copied beside the AMI tests).
enum Transcript {
    static var directory: URL {
        Repository.root.appendingPathComponent("Tests/AMITests/Fixtures")
    }

    static func messages(_ name: String, sent: Bool) throws -> [AMIMessage] {
        let bytes = Array(try Data(contentsOf: directory.appendingPathComponent("\(name).\(sent ? "sent" : "recv").txt")))
        var decoder = AMIFrameDecoder(expectsBanner: !sent)
        decoder.append(contentsOf: bytes)
        var out: [AMIMessage] = []
        while let frame = try decoder.next() {
            if case .message(let message) = frame { out.append(message) }
        }
        return out
    }

    /// `Response: X` / `Message: …` of each response, by ActionID.
    static func responses(_ messages: [AMIMessage]) -> [String: (String, String?)] {
        var out: [String: (String, String?)] = [:]
        for message in messages where message.kind == .response {
            if let id = message.actionID { out[id] = (message["Response"] ?? "", message["Message"]) }
        }
        return out
    }
}

/// Every suite of this target runs one test at a time: their clients block on sockets, and
/// blocking tests running side by side would take every thread of the cooperative pool (two on
/// a two-core machine) from the async tests of other targets.
@Suite(.serialized, .timeLimit(.minutes(1))) enum SimulatorTests {}
