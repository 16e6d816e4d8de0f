import AgentCore
import ControlPort
import Dispatch
import Store

/// Reads reports from the store through a connection of its own, on its own serial queue: a
/// report over a busy day must not hold the daemon's thread, and SQLite in WAL mode lets it
/// read while the daemon writes. Opened at the first report, so a store it cannot open costs a
/// 503 on reports, not the daemon.
final class ReportReader: @unchecked Sendable {
    // @unchecked: `store` is touched on `queue` only.
    private let path: String?
    private let queue = DispatchQueue(label: "ccagentd.api.reports")
    private var store: Store?

    init(path: String?) {
        self.path = path
    }

    /// Runs the report for `agents` on the reader's queue; `completion` gets the days (agents
    /// with no time in it left out) or why the store could not be read.
    func timeInStatus(
        agents: [AgentID], day: Range<Timestamp>, now: Timestamp, completion: @escaping @Sendable (Result<[AgentDay], ReportFailure>) -> Void
    ) {
        queue.async { [self] in
            do throws(StoreError) {
                let store = try open()
                var days: [AgentDay] = []
                for agent in agents {
                    let time = try store.timeInStatus(agent: agent, day: day, now: now)
                    guard !time.isEmpty else { continue }
                    let calls = try store.calls(agent: agent, from: day.lowerBound, to: day.upperBound)
                    days.append(
                        AgentDay(
                            agent: agent, milliseconds: time, incoming: calls.count { $0.direction == .incoming },
                            outgoing: calls.count { $0.direction == .outgoing }))
                }
                completion(.success(days))
            } catch {
                completion(.failure(ReportFailure(error.description)))
            }
        }
    }

    private func open() throws(StoreError) -> Store {
        if let store { return store }
        guard let path else { throw StoreError.openFailed(path: "", code: 0, message: "no store configured for reports") }
        let opened = try Store(path: path)
        store = opened
        return opened
    }
}
