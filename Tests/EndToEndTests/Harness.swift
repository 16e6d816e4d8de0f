#if canImport(Glibc)
import Glibc
#endif
import AMI
import AgentCore
import Foundation
import TestSupport
import Store

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One amisim process, one temp directory, and the ccagentd processes a test starts against them.
/// Everything is killed when the harness goes away (and by `shutdown()`), failing test or not.
final class Harness {
    private let temporary: TemporaryDirectory
    var directory: String { temporary.path }
    let amisim: ChildProcess
    let port: Int
    /// The ccagentd now running (or the last one started).
    private(set) var daemon: ChildProcess?
    private var earlierDaemons: [ChildProcess] = []
    private var client: AMITestClient?

    var configPath: String { directory + "/ccagentd.conf" }
    var databasePath: String { directory + "/ccagentd.sqlite" }

    init(persistentMembers: Bool = false) throws {
        temporary = try TemporaryDirectory(prefix: "ccagentd-e2e")
        let simConfig = temporary.file("amisim.conf")
        try TestConfigs.amisim(persistentMembers: persistentMembers).write(toFile: simConfig, atomically: true, encoding: .utf8)
        let simulator = try ChildProcess(
            name: "amisim", executable: try BuiltExecutable.path("amisim"),
            arguments: ["--port", "0", "--config", simConfig, "--log-level", "debug"])
        let prefix = "amisim listening on "
        var found: Int?
        _ = eventually(timeout: .seconds(15)) {
            found = simulator.stdout.lines.first.flatMap { line in
                line.hasPrefix(prefix) ? line.split(separator: ":").last.flatMap { Int($0) } : nil
            }
            return found != nil || !simulator.isRunning
        }
        guard let found else { throw HarnessError("amisim did not start\n\(simulator.tail())") }
        amisim = simulator
        port = found
    }

    /// The children are killed before the directory goes.
    deinit { shutdown() }

    /// Kills every child (SIGKILL) and waits for them.
    func shutdown() {
        client = nil
        daemon?.kill()
        for earlier in earlierDaemons { earlier.kill() }
        amisim.kill()
    }

    // MARK: ccagentd

    func defaultConfig(logFormat: String = "text", users: String = TestConfigs.users()) -> String {
        TestConfigs.daemon(port: port, database: databasePath, logFormat: logFormat, users: users)
    }

    func writeConfig(_ text: String) throws {
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Starts `ccagentd --config` (writing `config` first when given) and, unless told not to, waits
    /// for `daemon.ready` after a reconcile: Asterisk's members and the agents agree.
    @discardableResult
    func startDaemon(
        config: String? = nil, environment: [String: String] = [:], waitUntilReady: Bool = true
    ) throws -> ChildProcess {
        if let config { try writeConfig(config) } else if !FileManager.default.fileExists(atPath: configPath) {
            try writeConfig(defaultConfig())
        }
        if let previous = daemon { earlierDaemons.append(previous) }
        let child = try ChildProcess(
            name: "ccagentd", executable: try BuiltExecutable.path("ccagentd"), arguments: ["--config", configPath],
            environment: environment)
        daemon = child
        if waitUntilReady {
            try waitForLog("reconcile.finished")
            try waitForLog("daemon.ready")
        }
        return child
    }

    func running() throws -> ChildProcess {
        guard let daemon else { throw HarnessError("no ccagentd was started") }
        return daemon
    }

    // MARK: Logs

    /// The number of stdout lines so far: pass it as `after` to look only at what comes next.
    var mark: Int { daemon?.stdout.count ?? 0 }

    /// The daemon's log records from line `after` on, each with its line index.
    func log(after mark: Int = 0) -> [(index: Int, entry: LogEntry)] {
        let lines = daemon?.stdout.lines ?? []
        guard mark < lines.count else { return [] }
        return (mark..<lines.count).compactMap { index in LogEntry(lines[index]).map { (index, $0) } }
    }

    /// Waits for the first record `event` whose fields include `fields`, at or after line `after`.
    @discardableResult
    func waitForLog(
        _ event: String, _ fields: [String: String] = [:], after mark: Int = 0, timeout: Duration = .seconds(20)
    ) throws -> (index: Int, entry: LogEntry) {
        let daemon = try running()
        var found: (index: Int, entry: LogEntry)?
        _ = eventually(timeout: timeout) {
            found = log(after: mark).first { $0.entry.event == event && $0.entry.matches(fields) }
            return found != nil || daemon.stdout.ended
        }
        guard let found else {
            throw HarnessError("no \(event) \(fields) after line \(mark) within \(timeout)\n\(daemon.tail(60))")
        }
        return found
    }

    // MARK: amisim through AMI

    /// The test's AMI connection, made again when amisim closed it (a drop or a restart).
    func ami(timeout: Duration = .seconds(15)) throws -> AMITestClient {
        if let client, !client.closed { return client }
        client = nil
        var lastError: (any Error)?
        let connected = eventually(timeout: timeout, every: .milliseconds(100)) {
            do {
                client = try AMITestClient.loggedIn(port: port, events: "off", timeout: .seconds(5))
                return true
            } catch {
                lastError = error
                return false
            }
        }
        guard connected, let client else { throw HarnessError("cannot log in to amisim: \(lastError.map { "\($0)" } ?? "?")") }
        return client
    }

    /// `sim …`: its output.
    @discardableResult
    func sim(_ command: String) throws -> [String] {
        guard let output = try ami().command("sim " + command) else { throw HarnessError("sim \(command): no answer") }
        return output
    }

    /// Sends a phone feature code: `Command: login|logout|status`, `Extension`, and more headers.
    func phone(_ command: String, extension ext: String, _ more: [(String, String)] = []) throws {
        guard try ami().featureCode([("Command", command), ("Extension", ext)] + more) else {
            throw HarnessError("UserEvent \(command) from \(ext) was not accepted")
        }
    }

    /// Logs `agent` in at `ext` from the phone and waits for the daemon to say so.
    func login(_ agent: String, at ext: String) throws {
        let before = mark
        try phone("login", extension: ext, [("Agent", agent)])
        try waitForLog("agent.logged_in", ["agent": agent], after: before)
    }

    /// Sets a status from the phone at `ext` and waits for the change.
    func setStatus(_ status: String, agent: String, at ext: String) throws {
        let before = mark
        try phone("status", extension: ext, [("Status", status)])
        try waitForLog("agent.status_changed", ["agent": agent, "to": status], after: before)
    }

    /// amisim's members now (reconnecting if amisim closed the connection).
    func members() throws -> [QueueMemberInfo] {
        if let members = try ami().members() { return members }
        client = nil
        guard let members = try ami().members() else { throw HarnessError("QueueStatus: no answer") }
        return members
    }

    /// Polls amisim until `condition` holds; the members it held for.
    @discardableResult
    func waitForMembers(
        _ what: String, timeout: Duration = .seconds(20), _ condition: ([QueueMemberInfo]) -> Bool
    ) throws -> [QueueMemberInfo] {
        var last: [QueueMemberInfo] = []
        var lastError: (any Error)?
        let held = eventually(timeout: timeout, every: .milliseconds(50)) {
            do {
                last = try members()
                return condition(last)
            } catch {
                lastError = error
                return false
            }
        }
        guard held else {
            throw HarnessError(
                "members never became \(what) within \(timeout); last seen: \(last.sorted { $0.description < $1.description })"
                    + (lastError.map { " (\($0))" } ?? "") + "\n" + (daemon?.tail(40) ?? ""))
        }
        return last
    }

    /// Waits until each listed interface is a member of exactly those queues, and the static member
    /// of queues.conf is still there.
    @discardableResult
    func waitForQueues(_ expected: [String: Set<String>], timeout: Duration = .seconds(20)) throws -> [QueueMemberInfo] {
        try waitForMembers("\(expected.sorted { $0.key < $1.key }) with the static member", timeout: timeout) { members in
            members.contains { $0.interface == TestConfigs.staticMember && $0.queue == "support-business" && !$0.dynamic }
                && expected.allSatisfy { members.queues(of: $0.key) == $0.value }
        }
    }

    // MARK: Store

    /// The store's history of `agent`, oldest first, read through a second connection.
    func history(_ agent: String, database: String? = nil) throws -> [Transition] {
        let store = try Store(path: database ?? databasePath)
        return try store.history(
            agent: AgentID(agent), from: Timestamp(millisecondsSince1970: 0), to: Timestamp(millisecondsSince1970: .max))
    }

    func storedAgents() throws -> [AgentState] {
        try Store(path: databasePath).loadAgents()
    }

    // MARK: amisim's own log (stderr, debug level)

    /// amisim's session number for the daemon's (last) login as `ccagentd`.
    func daemonSessions() -> [String] {
        amisim.stderr.lines.filter { $0.contains("amisim.login ") && $0.contains("username=ccagentd") }.compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("session=") }.map { String($0.dropFirst("session=".count)) }
        }
    }

    /// amisim's member changes (`amisim.member_added` / `amisim.member_removed`) from stderr line `after` on.
    func memberChanges(after mark: Int) -> [String] {
        let lines = amisim.stderr.lines
        guard mark < lines.count else { return [] }
        return lines[mark...].filter { $0.contains("amisim.member_added") || $0.contains("amisim.member_removed") }
    }
}

extension Transition {
    var short: String { "\(from.rawValue)->\(to.rawValue)(\(cause.rawValue))" }
}

/// Every `from` is the previous `to`, and times never go back.
func contiguityProblems(_ history: [Transition]) -> [String] {
    zip(history, history.dropFirst()).compactMap { previous, next in
        if previous.to != next.from { return "\(previous.short) then \(next.short)" }
        if next.at < previous.at { return "\(next.short) at \(next.at) is before \(previous.short) at \(previous.at)" }
        return nil
    }
}
