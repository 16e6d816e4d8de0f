import AMI
import AMISimulator
import Testing
import TestSupport

extension SimulatorTests {
@Suite struct LoginTests {
    @Test func bannerThenLoginGivesFullyBootedAndSuccessfulAuth() throws {
        let live = try LiveSimulator()
        let client = try live.client()
        client.send(action: "Login", id: "login-1", [("Username", "ccd"), ("Secret", "ccdsecret")])
        let messages = try #require(client.collect { $0["Event"] == "SuccessfulAuth" })
        #expect(client.banner == "11.0.0")
        #expect(messages.map { $0.name ?? "" } == ["Success", "FullyBooted", "SuccessfulAuth"])
        #expect(messages[0]["Message"] == "Authentication accepted")
        #expect(messages[1]["Privilege"] == "system,all")
        #expect(messages[1]["Status"] == "Fully Booted")
        let recorded = try Transcript.messages("01-login-ping-logoff", sent: false)
        let auth = try #require(recorded.first { $0["Event"] == "SuccessfulAuth" })
        #expect(messages[2].headers.map(\.key) == auth.headers.map(\.key))
        #expect(messages[2]["AccountID"] == "ccd")
    }

    @Test func wrongSecretFailsThenCloses() throws {
        let live = try LiveSimulator()
        let client = try live.client()
        client.send(action: "Login", id: "login-bad", [("Username", "ccd"), ("Secret", "wrongsecret")])
        let reply = try #require(client.next())
        #expect(reply.headers.map { "\($0.key): \($0.value)" } == ["Response: Error", "ActionID: login-bad", "Message: Authentication failed"])
        #expect(client.waitForClose())
    }

    @Test func unknownUserFailsTheSameWay() throws {
        let live = try LiveSimulator()
        let client = try live.client()
        client.send(action: "Login", id: "x", [("Username", "nobody"), ("Secret", "x")])
        #expect(client.next()?["Message"] == "Authentication failed")
        #expect(client.waitForClose())
    }

    @Test func authFailureWaitsTheConfiguredDelay() throws {
        let live = try LiveSimulator { $0.authFailureDelay = .milliseconds(300) }
        let client = try live.client()
        let start = ContinuousClock.now
        client.send(action: "Login", id: "x", [("Username", "ccd"), ("Secret", "bad")])
        _ = client.next()
        #expect(start.duration(to: .now) >= .milliseconds(280))
    }

    @Test func md5ChallengeLogin() throws {
        let live = try LiveSimulator()
        let client = try live.client()
        client.send(action: "Challenge", id: "ch", [("AuthType", "MD5")])
        let challenge = try #require(client.response("ch")?["Challenge"])
        client.send(action: "Login", id: "l", [("AuthType", "MD5"), ("Username", "ccd"), ("Key", MD5.hex(challenge + "ccdsecret"))])
        #expect(client.response("l")?["Message"] == "Authentication accepted")
    }

    @Test func md5LoginWithWrongKeyFails() throws {
        let live = try LiveSimulator()
        let client = try live.client()
        client.send(action: "Challenge", id: "ch", [("AuthType", "MD5")])
        _ = client.response("ch")
        client.send(action: "Login", id: "l", [("AuthType", "MD5"), ("Username", "ccd"), ("Key", MD5.hex("nonsense"))])
        #expect(client.response("l")?["Message"] == "Authentication failed")
        #expect(client.waitForClose())
    }

    /// Transcript 01, action for action.
    @Test func replaysTranscript01() throws {
        let sent = try Transcript.messages("01-login-ping-logoff", sent: true)
        let recorded = try Transcript.messages("01-login-ping-logoff", sent: false)
        let live2 = try LiveSimulator()
        let client2 = try live2.client()
        var replies: [AMIMessage] = []
        for action in sent {
            client2.send(action.headers.map { ($0.key, $0.value) })
            while let message = client2.next(timeout: .milliseconds(150)) { replies.append(message) }
        }
        let shape = { (m: AMIMessage) -> String in
            m.kind == .event ? "Event: \(m.name ?? "")" : "\(m.name ?? "") \(m.actionID ?? "-") \(m["Message"] ?? "")"
        }
        #expect(replies.map(shape) == recorded.map(shape))
        let unknown = try #require(replies.first { $0.actionID == "unknown-1" })
        #expect(unknown["Message"] == "Invalid/unknown command: NoSuchAction. Use Action: ListCommands to show available commands.")
        let badFormat = replies.filter { $0["Event"] == "RequestBadFormat" }.map { $0["RequestType"] ?? "" }
        #expect(badFormat == ["Action: NoSuchAction", "Action: NONE"])
    }

    @Test func restrictedUserIsDeniedWriteActions() throws {
        let live = try LiveSimulator()
        let client = try live.client()
        let sent = try Transcript.messages("03-restricted-user", sent: true)
        let expected = Transcript.responses(try Transcript.messages("03-restricted-user", sent: false))
        var replies: [AMIMessage] = []
        for action in sent {
            client.send(action.headers.map { ($0.key, $0.value) })
            while let message = client.next(timeout: .milliseconds(150)) { replies.append(message) }
        }
        let got = Transcript.responses(replies)
        for (id, value) in expected {
            #expect(got[id]?.0 == value.0, "\(id)")
            #expect(got[id]?.1 == value.1, "\(id)")
        }
        #expect(!replies.contains { $0["Event"] == "FullyBooted" || $0["Event"] == "SuccessfulAuth" })
    }
}
}
