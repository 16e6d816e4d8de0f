// A child for the durability test: applies one change after another to the store at argv[1]
// and prints each counter to stdout only after its commit returned. The test kills it with
// SIGKILL and then checks that every printed counter is in the database.
import AgentCore
import Glibc
import Store

func run() -> Int32 {
    guard CommandLine.arguments.count == 2 else { return 64 }
    let agent: AgentID = "crash@example.com"
    do {
        let store = try Store(path: CommandLine.arguments[1])
        var status: StatusID = .unassigned
        for counter in 0..<1_000_000 {
            let at = Timestamp(millisecondsSince1970: Int64(counter))
            let next: StatusID = counter.isMultiple(of: 2) ? .connected : "lunch"
            let state = AgentState(
                agent: agent, status: next, since: at, extensionID: "101", interface: "PJSIP/101", stateInterface: nil,
                isVirtual: false, calls: ["c\(counter)": .incoming])
            try store.apply(
                [.transition(Transition(agent: agent, from: status, to: next, at: at, cause: .agent, actor: .system)),
                 .saveAgent(agent, state),
                 .callStarted(agent: agent, uniqueID: "c\(counter)", channel: "PJSIP/101-1", direction: .incoming, at: at)],
                audit: AuditEntry(at: at, actor: .system, source: "crash helper", action: "step", outcome: "ok", detail: "\(counter)"))
            status = next
            let line = Array("\(counter)\n".utf8)
            guard line.withUnsafeBytes({ write(1, $0.baseAddress, $0.count) }) == line.count else { return 1 }
        }
    } catch {
        let message = Array("\(error)\n".utf8)
        _ = message.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        return 1
    }
    return 0
}

exit(run())
