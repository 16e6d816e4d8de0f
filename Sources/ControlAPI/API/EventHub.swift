import HTTPWire
import HTTPServing
import Crypt
import AgentCore
import ControlPort
import Synchronization

/// Where a subscriber's bytes go: an HTTP event stream, or a test's buffer.
protocol EventSink: Sendable {
    func send(_ bytes: [UInt8])
    func close()
}

extension HTTPEventStream: EventSink {}

/// The live event stream's fan-out: a ring of the last `capacity` events with their ids, and
/// the clients listening, each shown only what its actor may see.
///
/// Ids grow across restarts: they start at the boot time in milliseconds × 1000, so a client
/// resuming with an id from an earlier run is told to start over instead of silently missing
/// what happened while the daemon was down.
final class EventHub: Sendable {
    struct Entry: Sendable {
        var id: UInt64
        /// The agent it is about; nil for events everyone (or every supervisor) sees.
        var agent: AgentID?
        var supervisorsOnly: Bool
        var bytes: [UInt8]
    }

    struct Subscriber: Sendable {
        var actor: Actor
        /// What the stream was opened with, checked again now and then: a stream outlives neither
        /// its session nor its token.
        var credential: APIRouter.Credential
        var stream: any EventSink
    }

    private struct State {
        var ring: [Entry] = []
        /// Where the oldest entry sits once the ring is full.
        var head = 0
        var nextID: UInt64
        var subscribers: [Int: Subscriber] = [:]
    }

    let capacity: Int
    private let state: Mutex<State>

    init(capacity: Int = 4096, firstID: UInt64) {
        self.capacity = max(1, capacity)
        state = Mutex(State(nextID: max(1, firstID)))
    }

    var subscriberCount: Int { state.withLock { $0.subscribers.count } }

    /// Records `event` and sends it to every subscriber that may see it. Called on the daemon's
    /// thread, right after the change, with the state that decides visibility.
    func publish(_ event: DaemonEvent, machine: AgentStateMachine) {
        guard let (name, agent, supervisorsOnly, data) = Self.describe(event) else { return }
        state.withLock { state in
            let id = state.nextID
            state.nextID += 1
            let bytes = ServerSentEvent(id: String(id), event: name, data: data.description).serialized()
            let entry = Entry(id: id, agent: agent, supervisorsOnly: supervisorsOnly, bytes: bytes)
            if state.ring.count < capacity {
                state.ring.append(entry)
            } else {
                state.ring[state.head] = entry
                state.head = (state.head + 1) % capacity
            }
            for subscriber in state.subscribers.values where Self.visible(entry, to: subscriber.actor, machine: machine) {
                subscriber.stream.send(bytes)
            }
        }
    }

    /// Adds a listener. With `lastEventID`, first replays every later event it may see, or
    /// sends `reset` when that id is no longer (or never was) in the ring. Called on the
    /// daemon's thread, so no event can slip between the replay and the live stream.
    func subscribe(
        connectionID: Int, actor: Actor, credential: APIRouter.Credential = .local, stream: any EventSink, lastEventID: UInt64?,
        machine: AgentStateMachine
    ) {
        state.withLock { state in
            // A bare `retry:` sets the client's reconnection delay without dispatching an event.
            var greeting = Array("retry: 2000\n\n".utf8) + ServerSentEvent.comment("ccagentd events")
            if let last = lastEventID {
                // Oldest first: `head` is 0 until the ring is full.
                let ordered = Array(state.ring[state.head...]) + state.ring[..<state.head]
                let oldest = ordered.first?.id ?? state.nextID
                // `last < nextID` first: it keeps `last + 1` from overflowing on a hostile id.
                if last < state.nextID, last + 1 >= oldest {
                    for entry in ordered where entry.id > last && Self.visible(entry, to: actor, machine: machine) {
                        greeting.append(contentsOf: entry.bytes)
                    }
                } else {
                    let reason = JSONValue.object([("reason", .string("events since \(last) are no longer kept; read the agents again"))])
                    greeting.append(contentsOf: ServerSentEvent(event: "reset", data: reason.description).serialized())
                }
            }
            stream.send(greeting)
            state.subscribers[connectionID] = Subscriber(actor: actor, credential: credential, stream: stream)
        }
    }

    func unsubscribe(connectionID: Int) {
        _ = state.withLock { $0.subscribers.removeValue(forKey: connectionID) }
    }

    /// A comment to every listener, so proxies and idle timers keep the streams open.
    func heartbeat() {
        let bytes = ServerSentEvent.comment("keep-alive")
        state.withLock { state in
            for subscriber in state.subscribers.values { subscriber.stream.send(bytes) }
        }
    }

    /// Closes every stream (the daemon is stopping).
    func closeAll() {
        closeStreams { _ in true }
    }

    /// Closes the streams `shouldClose` picks (their session ended, their token was withdrawn);
    /// how many.
    @discardableResult
    func closeStreams(where shouldClose: (Subscriber) -> Bool) -> Int {
        let closing = state.withLock { state in
            let picked = state.subscribers.filter { shouldClose($0.value) }
            for id in picked.keys { state.subscribers[id] = nil }
            return Array(picked.values)
        }
        for subscriber in closing { subscriber.stream.close() }
        return closing.count
    }

    static func visible(_ entry: Entry, to actor: Actor, machine: AgentStateMachine) -> Bool {
        if let agent = entry.agent { return machine.maySee(agent, by: actor) }
        if entry.supervisorsOnly {
            if case .user(let id) = actor, machine.configuration.users[id]?.active != true { return false }
            return (machine.role(of: actor) ?? .agent) >= .supervisor
        }
        return true
    }

    /// The event's SSE name, the agent it concerns, whether only supervisors and admins see it,
    /// and its JSON; nil for what the stream does not carry.
    static func describe(_ event: DaemonEvent) -> (String, AgentID?, Bool, JSONValue)? {
        switch event {
        case .transition(let transition):
            return ("status", transition.agent, false, APIJSON.transition(transition))
        case .callStarted(let agent, let uniqueID, let channel, let direction, let at):
            let data: JSONValue = .object([
                ("agent", .string(agent.rawValue)), ("unique_id", .string(uniqueID)), ("channel", .string(channel)),
                ("direction", .string(direction.rawValue)), ("at", APIJSON.time(at)),
            ])
            return ("call_started", agent, false, data)
        case .callEnded(let agent, let uniqueID, let at):
            let data: JSONValue = .object([
                ("agent", .string(agent.rawValue)), ("unique_id", .string(uniqueID)), ("at", APIJSON.time(at)),
            ])
            return ("call_ended", agent, false, data)
        case .ami(let connectionState):
            return ("ami", nil, true, .object([("state", .string(connectionState.name))]))
        case .configurationReloaded:
            return ("reload", nil, false, .object([]))
        case .reconciled:
            return nil
        }
    }
}
