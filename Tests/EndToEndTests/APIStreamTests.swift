#if canImport(Glibc)
import Glibc
#endif
import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import Testing
import TestSupport

extension EndToEnd {
    /// `/v1/events`: what each caller may see, live, and resumed after a reconnect.
    @Suite struct APIStreamTests {
        /// Opens the event stream as `token` (with `Last-Event-ID` when given) and waits for its greeting.
        static func stream(_ harness: Harness, token: String, lastEventID: String? = nil) throws -> LoopbackConnection {
            let connection = try LoopbackConnection(port: try harness.apiPort())
            var request = "GET /v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(token)\r\n"
            if let lastEventID { request += "Last-Event-ID: \(lastEventID)\r\n" }
            connection.send(request + "\r\n")
            let greeting = connection.read(timeout: .seconds(10)) { $0.contains(": ccagentd events\n\n") }
            guard greeting.hasPrefix("HTTP/1.1 200"), greeting.contains("Content-Type: text/event-stream") else {
                throw HarnessError("no event stream: \(greeting)")
            }
            return connection
        }

        /// The events in what a stream received: (id, event, data).
        static func events(_ text: String) -> [(id: String?, event: String, data: JSONValue?)] {
            text.components(separatedBy: "\n\n").compactMap { block in
                var id: String?, event: String?, data: String?
                for line in block.split(separator: "\n") {
                    if line.hasPrefix("id: ") { id = String(line.dropFirst(4)) }
                    if line.hasPrefix("event: ") { event = String(line.dropFirst(7)) }
                    if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
                }
                guard let event else { return nil }
                return (id, event, data.flatMap { try? JSONValue.parse($0) })
            }
        }

        @Test func eachCallerSeesWhatItMayAndResumesWithoutLoss() throws {
            let harness = try APITests.start()
            defer { harness.shutdown() }
            let dana = try harness.session("dana@example.com")
            let bea = try harness.session("bea@example.com")
            let danaStream = try Self.stream(harness, token: dana)
            let beaStream = try Self.stream(harness, token: bea)

            for (agent, ext) in [("dana@example.com", "101"), ("noa@example.com", "103")] {
                let answer = try harness.api("POST", "/v1/agents/\(agent)/login", body: ["extension": .string(ext)], overSocket: true)
                try #require(answer.status == 200, "\(answer.text)")
            }
            danaStream.read(timeout: .seconds(10)) { $0.contains("\"to\":\"connected\"") }
            beaStream.read(timeout: .seconds(10)) { $0.contains("\"to\":\"connected\"") }
            let danaSaw = Self.events(danaStream.text)
            #expect(danaSaw.map(\.event) == ["status"])
            #expect(danaSaw.first?.data?["agent"] == "dana@example.com" && danaSaw.first?.data?["actor"] == "admin:local")
            #expect(Self.events(beaStream.text).compactMap { $0.data?["agent"]?.stringValue } == ["noa@example.com"])

            // Dana's stream drops; she misses two changes, then resumes from the last id she saw.
            let lastID = try #require(danaSaw.last?.id)
            danaStream.close()
            for status in ["break", "lunch"] {
                let answer = try harness.api("PUT", "/v1/agents/dana@example.com/status", body: ["status": .string(status)], token: dana)
                try #require(answer.status == 200)
            }
            let resumed = try Self.stream(harness, token: dana, lastEventID: lastID)
            resumed.read(timeout: .seconds(10)) { $0.contains("\"to\":\"lunch\"") }
            let replay = Self.events(resumed.text)
            #expect(replay.compactMap { $0.data?["to"]?.stringValue } == ["break", "lunch"])
            let ids = replay.compactMap { $0.id.flatMap { UInt64($0) } }
            #expect(ids.count == 2 && ids.allSatisfy { $0 > UInt64(lastID) ?? .max } && ids == ids.sorted())

            // An id the daemon no longer has (or never had) says: start over.
            for hostile in ["1", "18446744073709551615"] {
                let stale = try Self.stream(harness, token: dana, lastEventID: hostile)
                #expect(Self.events(stale.text).map(\.event) == ["reset"], "Last-Event-ID \(hostile)")
            }

            // Asterisk going away is news for supervisors, not for agents.
            #expect(!beaStream.text.contains("event: ami"))
            try harness.sim("drop")
            beaStream.read(timeout: .seconds(10)) { $0.contains("event: ami") }
            #expect(Self.events(beaStream.text).contains { $0.event == "ami" && $0.data?["state"] == "lost" })
            resumed.read(timeout: .milliseconds(500))
            #expect(!resumed.text.contains("event: ami"))
        }
    }
}
