import Foundation
import Testing

extension EndToEnd {
    /// Members the way a real PBX has them: FreePBX's (the queue dials the extension through
    /// from-queue, the state is the dialplan hint) and a state the dialplan sets (Custom:). The
    /// QueueAdd carries each as StateInterface, and amisim keeps it, field for field.
    @Suite struct StateInterfaceTests {
        static let freePBX = "Local/106@from-queue/n"
        static let custom = "PJSIP/107"

        static let users = TestConfigs.users() + """
            [106](phone)
            interface = Local/106@from-queue/n
            state_interface = hint:106@ext-local
            [107](phone)
            interface = PJSIP/107
            state_interface = Custom:agent107

            [lea@example.com](agent-defaults)
            name = Lea Stern
            password = \(TestConfigs.demoHash)
            skills = sales
            extension = 106

            [ron@example.com](agent-defaults)
            name = Ron Adler
            password = \(TestConfigs.demoHash)
            skills = support:3
            extension = 107

            """

        @Test func hintAndCustomStateInterfacesReachTheQueuesAndCallsAreWatched() throws {
            let harness = try Harness()
            defer { harness.shutdown() }
            try harness.startDaemon(config: harness.defaultConfig(users: Self.users))
            let lea = "lea@example.com", ron = "ron@example.com"

            try harness.phone("login", extension: "106")
            try harness.waitForLog("agent.logged_in", ["agent": lea])
            try harness.login(ron, at: "107")
            let joined = try harness.waitForQueues([Self.freePBX: ["sales"], Self.custom: TestConfigs.supportQueues])
            let hint = try #require(joined.member(Self.freePBX, in: "sales"))
            #expect(hint.stateInterface == "hint:106@ext-local")
            #expect(hint.name == "Lea Stern")
            #expect(hint.dynamic)
            for queue in TestConfigs.supportQueues {
                let member = try #require(joined.member(Self.custom, in: queue))
                #expect(member.stateInterface == "Custom:agent107")
                #expect(member.penalty == 3)
            }
            // What an admin sees on the Asterisk CLI: the member, and where its state comes from.
            let show = try #require(try harness.ami().command("queue show sales"))
            #expect(show.contains { $0.contains("Lea Stern (Local/106@from-queue/n from hint:106@ext-local)") }, "\(show)")

            // A sales call rings Lea through from-queue: the Local channel's ;1 half is hers.
            let mark = harness.mark
            try harness.sim("call inbound sales")
            let started = try harness.waitForLog("call.started", ["agent": lea], after: mark).entry
            #expect(started["direction"] == "incoming")
            #expect(started["channel"]?.hasPrefix("Local/106@from-queue-") == true)
            #expect(started["channel"]?.hasSuffix(";1") == true)
            try harness.waitForLog("agent.status_changed", ["agent": lea, "from": "incoming_call", "to": "paperwork"], after: mark)

            // Logging out takes the members out, StateInterface and all.
            try harness.phone("logout", extension: "107")
            try harness.waitForLog("agent.logged_out", ["agent": ron])
            try harness.waitForQueues([Self.custom: []])
        }
    }
}
