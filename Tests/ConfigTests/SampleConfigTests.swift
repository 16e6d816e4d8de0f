import AgentCore
import Foundation
import Testing
import TestSupport

@testable import Config

@Suite("Sample configuration")
struct SampleConfigTests {
    static let samplePath = Repository.root.appendingPathComponent("Config/ccagentd.conf").path

    @Test func theSampleLoadsClean() throws {
        let result = ConfigLoader().load(path: Self.samplePath)
        if case .failure(let list) = result { Issue.record("the sample has errors:\n\(list)") }
        let configuration = try result.get()
        let core = configuration.core
        #expect(core.statuses.count == 7)
        #expect(core.skills.count == 2)
        #expect(configuration.queues.count == 3)
        #expect(core.extensions.count == 8)
        #expect(core.users.count == 6)
        #expect(core.users.values.filter(\.isAgent).count == 5)
        #expect(configuration.groups == ["team-a", "team-b"])
        #expect(configuration.ami.authentication == .md5)
    }

    @Test func theSampleSaysWhatTheIssueAsks() throws {
        let core = try ConfigLoader().load(path: Self.samplePath).get().core
        let pause = core.statuses["break"]
        #expect(pause?.timeout == .seconds(900))
        #expect(pause?.timeoutGoto == .connected)
        #expect(pause?.maxAgents == 3)
        #expect(pause?.overLimit == .deny)
        #expect(core.statuses[.incomingCall]?.onHangup == .status("paperwork"))
        #expect(core.statuses["paperwork"]?.timeoutGoto == .connected)
        let remote = core.users.values.filter { $0.virtualExtension != nil }
        #expect(remote.count == 1)
        #expect(remote.first?.mobile == "+972507654321")
        #expect(core.extensions[remote.first?.virtualExtension ?? ""]?.isVirtual == true)
        let supervisors = core.users.values.filter { $0.role == .supervisor }
        #expect(supervisors.map(\.login) == ["boss@example.com"])
        #expect(core.users["dana@example.com"]?.extensions == ["102", "103", "104", "105", "110", "111"])
        // A FreePBX-style member (the queue dials from-queue, the state is the dialplan hint) and
        // a state the dialplan sets.
        #expect(core.extensions["110"] == ExtensionDefinition(id: "110", interface: "Local/110@from-queue/n", stateInterface: "hint:110@ext-local"))
        #expect(core.extensions["111"] == ExtensionDefinition(id: "111", interface: "PJSIP/111", stateInterface: "Custom:agent111"))
        // ccuser as the sample writes it, and as the roles would have it anyway.
        #expect(core.users.values.filter(\.isAgent).map(\.login).sorted() == core.users.values.filter { $0.role == .agent }.map(\.login).sorted())
        #expect(core.users["noa@example.com"]?.skills == [SkillAssignment(skill: "sales", penalty: 1), SkillAssignment(skill: "support", penalty: 5)])
        for user in core.users.values {
            #expect(user.passwordHash?.hasPrefix("$6$") == true, "\(user.login)")
        }
    }

    @Test func theDialplanSnippetUsesTheSampleNames() throws {
        let dialplan = try String(contentsOfFile: Repository.root.appendingPathComponent("Config/extensions-ccagentd.conf").path, encoding: .utf8)
        let remote = try ConfigLoader().load(path: Self.samplePath).get().core.remote
        #expect(dialplan.contains("[ccagentd-remote]"))
        #expect(remote.interfaceTemplate.contains("@ccagentd-remote"))
        #expect(dialplan.contains("${DB(\(remote.followmeFamily)/${EXTEN})}"))
        for code in ["*50", "*51", "*59"] { #expect(dialplan.contains("exten => \(code),1,UserEvent(ccagentd,Command: ")) }
    }

    @Test func includesOnDiskAreRelativeToTheIncludingFile() throws {
        let directory = try #require(Fixture.directory)
        let configuration = try ConfigLoader().load(path: directory.appendingPathComponent("includes/main.conf").path).get()
        #expect(configuration.core.skills["support"]?.queues == ["support-private", "support-business"])
        #expect(configuration.files.count == 2)
    }

    @Test func includeLoopsOnDiskAreCaught() throws {
        let directory = try #require(Fixture.directory)
        let a = directory.appendingPathComponent("loop-a.conf").path
        let b = directory.appendingPathComponent("loop-b.conf").path
        guard case .failure(let list) = ConfigLoader().load(path: a) else {
            Issue.record("expected an include loop")
            return
        }
        #expect(list.errors.map(\.description).contains("\(b):1: #include loop: \(a) → \(b) → \(a)"))
    }
}
