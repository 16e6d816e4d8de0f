import AMISimulator
import AgentCore
import ControlPort
import Daemon
import Foundation
import Store
import Testing
import TestSupport

extension DaemonTests {
    @Suite struct Membership {
        @Test func loginAddsTheSkillsQueuesWithPenaltiesAndBreakRemovesThem() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()

            let login = await harness.submit(.login("dana@example.com", extension: "101"))
            let state = try login.result.get()
            #expect(state?.status == .connected)
            #expect(login.members.map(\.queue.rawValue) == ["sales", "support-business", "support-private"])
            try await waitUntil("dana is in her three queues") {
                harness.members("sales") == ["PJSIP/101:0"] && harness.members("support-private") == ["PJSIP/101:2"]
                    && harness.isMember("PJSIP/101", of: "support-business")
            }

            _ = try await harness.submit(.setStatus("dana@example.com", "break")).result.get()
            try await waitUntil("dana left every queue") {
                !harness.isMember("PJSIP/101", of: "sales") && !harness.isMember("PJSIP/101", of: "support-private")
                    && !harness.isMember("PJSIP/101", of: "support-business")
            }
            // The static member of queues.conf is never touched.
            #expect(harness.isMember("Local/199@agents/n", of: "support-business"))

            _ = try await harness.submit(.setStatus("dana@example.com", "connected")).result.get()
            try await waitUntil("dana is back") { harness.members("sales") == ["PJSIP/101:0"] }
        }

        @Test func aRefusedCommandChangesNothingAndIsAudited() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            let reply = await harness.submit(.setStatus("dana@example.com", "break"), by: .user("eli@example.com"))
            // Eli may not even see Dana: he learns nothing about her.
            #expect(reply.result == .failure(.refused(.unknownAgent("dana@example.com"))))
            let wrongExtension = await harness.submit(.login("dana@example.com", extension: "999"))
            #expect(wrongExtension.result == .failure(.refused(.unknownExtension("999"))))
            let store = try Store(path: harness.database)
            let audit = try store.audit(limit: 10)
            #expect(audit.count == 2)
            #expect(audit.allSatisfy { $0.outcome == "refused" })
            #expect(harness.logs.records(named: "command.refused").count == 2)
        }

        @Test func alreadyThereAndNotThereAreSuccess() async throws {
            let harness = try DaemonHarness(start: false)
            defer { Task { await harness.close() } }
            // Asterisk already has her (persistent members): the add says "Already there".
            harness.start()
            try await harness.waitReady()
            harness.simulator.addMember(queue: "sales", interface: "PJSIP/101", penalty: 0)
            _ = try await harness.submit(.login("dana@example.com", extension: "101")).result.get()
            try await waitUntil("dana is in support-private") { harness.isMember("PJSIP/101", of: "support-private") }
            // Someone removed her by hand: the remove says "Not there".
            #expect(harness.simulator.receivedActions().contains { $0.action["Action"] == "QueueAdd" && $0.action["Queue"] == "sales" })
            _ = try await harness.submit(.setStatus("dana@example.com", "break")).result.get()
            try await waitUntil("no action in flight") { await harness.daemon.inspect { $0.inFlight } == 0 }
            let metrics = await harness.daemon.inspect { $0.metrics }
            #expect(metrics.actionsFailed.isEmpty)
            #expect(harness.logs.records(named: "ami.action_failed").isEmpty)
        }

        @Test func aFailedQueueAddIsLoggedWithAsterisksMessageAndReconciled() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            harness.simulator.failNext(action: "QueueAdd", message: "Unable to add interface to queue: No such queue")
            _ = try await harness.submit(.login("eli@example.com", extension: "102")).result.get()
            try await waitUntil("the failure is logged") { !harness.logs.records(named: "ami.action_failed").isEmpty }
            let failure = try #require(harness.logs.records(named: "ami.action_failed").first)
            #expect(failure["error"] == "Unable to add interface to queue: No such queue")
            #expect(failure["action"] == "QueueAdd")
            #expect(failure["action_id"]?.isEmpty == false)
            // The reconcile that follows adds what is missing.
            try await waitUntil("eli is in both support queues") {
                harness.isMember("PJSIP/102", of: "support-private") && harness.isMember("PJSIP/102", of: "support-business")
            }
            let metrics = await harness.daemon.inspect { $0.metrics }
            #expect(metrics.actionsFailed["QueueAdd"] == 1)
            #expect(metrics.reconciles >= 2)
        }

        @Test func reconcileRemovesStaleDynamicMembersOfManagedPhonesOnly() async throws {
            let harness = try DaemonHarness(start: false)
            defer { Task { await harness.close() } }
            // Left over from before: eli's phone (managed, eli is logged out) and a phone the
            // daemon knows nothing about.
            harness.simulator.addMember(queue: "sales", interface: "PJSIP/102")
            harness.simulator.addMember(queue: "sales", interface: "SIP/other-system")
            harness.start()
            try await harness.waitReady()
            try await waitUntil("eli's stale membership is gone") { !harness.isMember("PJSIP/102", of: "sales") }
            #expect(harness.isMember("SIP/other-system", of: "sales"))
            #expect(harness.isMember("Local/199@agents/n", of: "support-business"))
        }

        @Test func aRemoteAgentGetsFollowMeAndTheMobileInterface() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            let state = try await harness.submit(.login("maya@example.com", extension: "901")).result.get()
            #expect(state?.status == .virtual)
            let mobile = "Local/+972507654321@ccagentd-remote/n"
            try await waitUntil("maya's mobile is in the support queues and follow-me is set") {
                harness.members("support-private") == ["\(mobile):3"]
                    && harness.simulator.databaseValue(family: "ccagentd/followme", key: "901") == "+972507654321"
            }
            _ = try await harness.submit(.logout("maya@example.com")).result.get()
            try await waitUntil("follow-me and membership are gone") {
                harness.simulator.databaseValue(family: "ccagentd/followme", key: "901") == nil
                    && harness.members("support-private").isEmpty
            }
        }
    }
}
