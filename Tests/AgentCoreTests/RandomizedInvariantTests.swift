import Testing
import TestSupport
@testable import AgentCore

/// Long random sequences of every kind of input, with the product's invariants checked after
/// each step against an independent model of Asterisk built only from the emitted effects.
@Suite struct RandomizedInvariantTests {
    /// Asterisk as the effects leave it, plus members the daemon must never touch.
    struct AsteriskModel {
        var dynamic: [Interface: [QueueName: Int]] = [:]
        var foreign: [AsteriskSnapshot.Member] = [
            .init(queue: "support-business", interface: "Local/199@agents/n", penalty: 0, isDynamic: false),
            .init(queue: "sales", interface: "PJSIP/777", penalty: 0, isDynamic: true),
        ]
        var problems: [String] = []

        mutating func apply(_ effects: [Effect], step: Int) {
            for effect in effects {
                switch effect {
                case .queueAdd(let member):
                    if dynamic[member.interface]?[member.queue] != nil { problems.append("step \(step): redundant \(effect)") }
                    dynamic[member.interface, default: [:]][member.queue] = member.penalty
                case .queueRemove(let queue, let interface):
                    if interface == "PJSIP/777" || interface == "Local/199@agents/n" { problems.append("step \(step): touched a foreign member") }
                    if dynamic[interface]?[queue] == nil { problems.append("step \(step): redundant \(effect)") }
                    dynamic[interface]?[queue] = nil
                    if dynamic[interface]?.isEmpty == true { dynamic[interface] = nil }
                case .queuePenalty(let queue, let interface, let penalty):
                    if dynamic[interface]?[queue] == penalty { problems.append("step \(step): redundant \(effect)") }
                    dynamic[interface]?[queue] = penalty
                default: break
                }
            }
        }
    }

    static func variant(_ n: Int) -> CoreConfiguration {
        var config = TestCenter.configuration
        switch n {
        case 1:
            config.users[TestCenter.dana]?.skills = [SkillAssignment(skill: "support", penalty: 7)]
            config.skills["sales"]?.queues.append("sales-vip")
        case 2:
            config.statuses["lunch"] = nil
            config.users[TestCenter.fay] = nil
            config.extensions["106"]?.interface = "Local/106@agents2/n"
        case 3:
            config.statuses["paperwork"]?.activatesSkills = true
            config.users[TestCenter.remo]?.mobile = "+972509999999"
        default: break
        }
        return config
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func invariantsHoldOverLongRandomRuns(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var core = AgentStateMachine(configuration: TestCenter.configuration)
        var asterisk = AsteriskModel()
        var history: [AgentID: (to: StatusID, at: Timestamp)] = [:]
        var liveChannels: [String: (channel: String, incoming: Bool)] = [:]
        var now = TestCenter.t0
        var nextChannel = 0
        // The status whose membership applies, tracked by the test from what it saw, not read
        // from the core: the one before a call, or the one asked for during it.
        var membershipStatus: [AgentID: StatusID] = [:]
        let statuses: [StatusID] = ["break", "paperwork", "lunch", "training", "wrap", .connected, .virtual, "nonexistent"]
        let actors: [Actor] = TestCenter.agents.map { .user($0) } + [.user(TestCenter.boss), .user(TestCenter.root), .admin("cli"), .phone("101")]

        for step in 0..<3000 {
            now = Timestamp(millisecondsSince1970: now.millisecondsSince1970 + Int64.random(in: 0...120_000, using: &random))
            let agent = TestCenter.agents.randomElement(using: &random) ?? TestCenter.dana
            let outcome: Outcome
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<12:
                let offer = core.extensionOffer(for: agent).map(\.id) + ["999"]
                let ext = offer.randomElement(using: &random) ?? "101"
                outcome = core.handle(.login(agent, extension: ext), by: actors.randomElement(using: &random) ?? .system, at: now)
            case 12..<18:
                outcome = core.handle(.logout(agent), by: .user(agent), at: now)
            case 18..<45:
                let status = statuses.randomElement(using: &random) ?? .connected
                let before = core.state(of: agent)
                outcome = core.handle(.setStatus(agent, status), by: actors.randomElement(using: &random) ?? .system, at: now)
                if let before, outcome.error == nil, before.status == status { #expect(outcome.effects.isEmpty, "step \(step): a no-op emitted effects") }
                if let before, outcome.error == nil, before.status.isCall {
                    membershipStatus[agent] = before.isVirtual && status == .connected ? .virtual : (!before.isVirtual && status == .virtual ? .connected : status)
                }
            case 45..<60:
                guard let state = core.state(of: agent), !state.isVirtual else { continue }
                nextChannel += 1
                let base = AgentStateMachine.channelBase(of: state.interface)
                let channel = state.interface.rawValue.hasPrefix("Local/") ? "\(base)-\(nextChannel);1" : "\(base)-\(nextChannel)"
                let incoming = Bool.random(using: &random)
                let uniqueID = "u\(nextChannel)"
                liveChannels[uniqueID] = (channel, incoming)
                outcome = core.handle(.channelCreated(uniqueID: uniqueID, channel: channel, state: incoming ? 0 : 4), at: now)
            case 60..<75:
                guard let (uniqueID, live) = liveChannels.randomElement(using: &random) else { continue }
                liveChannels[uniqueID] = nil
                outcome = core.handle(.hangup(uniqueID: uniqueID, channel: live.channel), at: now)
            case 75..<88:
                outcome = core.tick(at: now)
            case 88..<93:
                let new = Self.variant(Int.random(in: 0...3, using: &random))
                outcome = core.reload(new, at: now)
                for (id, status) in membershipStatus where new.statuses[status] == nil {
                    membershipStatus[id] = core.state(of: id)?.isVirtual == true ? .virtual : new.loginStatus
                }
            default:
                // A reconnect: Asterisk may have restarted (members gone) or drifted.
                if Bool.random(using: &random) {
                    asterisk.dynamic.removeAll()
                } else if let interface = asterisk.dynamic.keys.randomElement(using: &random) {
                    asterisk.dynamic[interface]?.removeAll()
                    asterisk.dynamic["PJSIP/103", default: [:]]["sales"] = 9
                }
                asterisk.dynamic = asterisk.dynamic.filter { !$0.value.isEmpty }
                let members = asterisk.dynamic.flatMap { interface, queues in
                    queues.map { AsteriskSnapshot.Member(queue: $0.key, interface: interface, penalty: $0.value, isDynamic: true) }
                } + asterisk.foreign
                let channels = liveChannels.map { AsteriskSnapshot.Channel(uniqueID: $0.key, channel: $0.value.channel, isIncoming: $0.value.incoming) }
                outcome = core.reconcile(with: AsteriskSnapshot(members: members, channels: channels, queues: []), at: now)
            }
            asterisk.apply(outcome.effects, step: step)

            for transition in outcome.transitions {
                let previous = history[transition.agent] ?? (.unassigned, TestCenter.t0)
                #expect(transition.from == previous.to, "step \(step): \(transition.agent) history not contiguous: \(previous.to) then \(transition.from)→\(transition.to)")
                #expect(transition.at >= previous.at, "step \(step): \(transition.agent) time went back")
                #expect(transition.from != transition.to, "step \(step): a transition to the same status")
                history[transition.agent] = (transition.to, transition.at)
                if transition.to.isCall {
                    if !transition.from.isCall { membershipStatus[transition.agent] = transition.from }
                } else {
                    membershipStatus[transition.agent] = transition.to
                }
            }
            checkMembership(core, asterisk, membershipStatus, step: step)
            for (id, state) in core.agents {
                #expect(state.status.isCall == !state.calls.isEmpty, "step \(step): \(id) is \(state.status) with \(state.calls.count) calls")
                #expect(history[id]?.to == state.status, "step \(step): \(id) history ends in \(String(describing: history[id]?.to)), state is \(state.status)")
            }
            for (id, entry) in history where core.state(of: id) == nil {
                #expect(entry.to == .unassigned, "step \(step): \(id) logged out but history ends in \(entry.to)")
            }
            if !asterisk.problems.isEmpty { break }
        }
        #expect(asterisk.problems == [])
    }

    /// A logged-in agent is a member of exactly the queues its effective status implies, each
    /// with its penalty; everyone else is a member of nothing, but phones left in their queues.
    func checkMembership(_ core: AgentStateMachine, _ asterisk: AsteriskModel, _ membershipStatus: [AgentID: StatusID], step: Int) {
        let config = core.configuration
        var expected: [Interface: [QueueName: Int]] = [:]
        for state in core.agents.values {
            guard let user = config.users[state.agent] else { continue }
            let status = membershipStatus[state.agent] ?? state.status
            guard config.statuses[status]?.activatesSkills == true else { continue }
            for assignment in user.skills {
                for queue in config.skills[assignment.skill]?.queues ?? [] {
                    expected[state.interface, default: [:]][queue] = min(expected[state.interface]?[queue] ?? .max, assignment.penalty)
                }
            }
        }
        for interface in Set(expected.keys).union(asterisk.dynamic.keys) {
            if core.lingering[interface] != nil {
                #expect(asterisk.dynamic[interface] != nil, "step \(step): \(interface) should have stayed in its queues")
                continue
            }
            if interface == "PJSIP/777" { continue }
            #expect(asterisk.dynamic[interface] ?? [:] == expected[interface] ?? [:],
                    "step \(step): \(interface) is in \(asterisk.dynamic[interface] ?? [:]), expected \(expected[interface] ?? [:])")
        }
    }
}
