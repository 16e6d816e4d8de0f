// AgentCore throughput: 5,000 agents, 200 queues, 20 skills, one million mixed inputs through
// the pure state machine on one core, with resident memory sampled along the way.
//
//   swift build -c release --product AgentCoreBenchmark && .build/release/AgentCoreBenchmark
//
// Channel names, unique IDs and extension IDs are formatted inside the timed loop, as the daemon
// makes them from AMI events and requests, and every effect is read there, so the optimizer can
// drop nothing. (Agent IDs come from one table, the same strings the logins used.)
import AgentCore
import Foundation

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func residentMegabytes() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

/// CPU time of this thread: unlike the wall clock, it does not count time other processes took.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

let agentCount = 5000, queueCount = 200, skillCount = 20, inputCount = Int(ProcessInfo.processInfo.environment["INPUTS"] ?? "") ?? 1_000_000

func makeConfiguration() -> CoreConfiguration {
    var statuses = CoreConfiguration.builtInStatuses
    statuses[.incomingCall]?.onHangup = .status("paperwork")
    statuses["break"] = StatusDefinition(id: "break", label: "Break", activatesSkills: false, timeout: .seconds(900), timeoutGoto: .connected, maxAgents: 500, overLimit: .warn)
    statuses["paperwork"] = StatusDefinition(id: "paperwork", label: "Paperwork", activatesSkills: false, timeout: .seconds(120), timeoutGoto: .connected)
    statuses["lunch"] = StatusDefinition(id: "lunch", label: "Lunch", activatesSkills: false, timeout: .seconds(1800), timeoutGoto: .connected)
    statuses["training"] = StatusDefinition(id: "training", label: "Training", activatesSkills: true)
    var skills: [SkillID: SkillDefinition] = [:]
    for s in 0..<skillCount {
        let id = SkillID("skill\(s)")
        skills[id] = SkillDefinition(id: id, queues: (0..<10).map { QueueName("q\((s * 10 + $0) % queueCount)") })
    }
    var extensions: [ExtensionID: ExtensionDefinition] = [:]
    var users: [AgentID: UserDefinition] = [:]
    var random = SplitMix64(state: 42)
    for a in 0..<agentCount {
        let ext = ExtensionID(String(10000 + a))
        extensions[ext] = ExtensionDefinition(id: ext, interface: Interface("PJSIP/\(10000 + a)"))
        let login = AgentID("agent\(a)@example.com")
        let assigned = (0..<3).map { _ in SkillAssignment(skill: SkillID("skill\(Int.random(in: 0..<skillCount, using: &random))"), penalty: Int.random(in: 0...5, using: &random)) }
        users[login] = UserDefinition(login: login, name: "Agent \(a)", skills: assigned, personalExtension: ext, group: GroupID("g\(a % 10)"))
    }
    return CoreConfiguration(statuses: statuses, skills: skills, extensions: extensions, users: users, remote: RemoteSettings())
}

let configuration = makeConfiguration()
var core = AgentStateMachine(configuration: configuration)
var random = SplitMix64(state: 7)
var now = Timestamp(seconds: 1_795_289_000)
let agents = (0..<agentCount).map { AgentID("agent\($0)@example.com") }
let statuses: [StatusID] = ["break", "paperwork", "lunch", "training", .connected]
var live: [(String, String)] = []
var nextChannel = 0
var effectCount = 0
/// Effects by kind, read in the timed loop so that every effect the core builds is consumed.
var effectKinds = [Int](repeating: 0, count: 10)

func tally(_ effects: [Effect], into kinds: inout [Int]) {
    for effect in effects {
        switch effect {
        case .queueAdd(let member): kinds[0] += member.penalty &+ 1
        case .queueRemove: kinds[1] += 1
        case .queuePenalty: kinds[2] += 1
        case .dbPut: kinds[3] += 1
        case .dbDel: kinds[4] += 1
        case .transition(let transition): kinds[5] += transition.note == nil ? 1 : 2
        case .saveAgent(_, let state): kinds[6] += state?.calls.count ?? 0
        case .callStarted: kinds[7] += 1
        case .callEnded: kinds[8] += 1
        case .warning: kinds[9] += 1
        }
    }
}
var samples: [(Int, Double)] = []

// Everyone logs in first (not timed: the set-up of the center).
for (a, agent) in agents.enumerated() {
    effectCount += core.handle(.login(agent, extension: ExtensionID(String(10000 + a))), by: .user(agent), at: now).effects.count
}
samples.append((0, residentMegabytes()))

let clock = ContinuousClock()
let started = clock.now
let startedOnCPU = threadCPUSeconds()
for i in 0..<inputCount {
    now.millisecondsSince1970 += 10
    let a = Int.random(in: 0..<agentCount, using: &random)
    let agent = agents[a]
    let outcome: Outcome
    switch Int.random(in: 0..<100, using: &random) {
    case 0..<40:
        outcome = core.handle(.setStatus(agent, statuses[Int.random(in: 0..<statuses.count, using: &random)]), by: .user(agent), at: now)
    case 40..<60:
        nextChannel += 1
        let channel = "PJSIP/\(10000 + a)-\(nextChannel)"
        let uniqueID = "1795289000.\(nextChannel)"
        live.append((uniqueID, channel))
        outcome = core.handle(.channelCreated(uniqueID: uniqueID, channel: channel, state: Bool.random(using: &random) ? 0 : 4), at: now)
    case 60..<80:
        if live.isEmpty { continue }
        let index = Int.random(in: 0..<live.count, using: &random)
        live.swapAt(index, live.count - 1)
        let (uniqueID, channel) = live.removeLast()
        outcome = core.handle(.hangup(uniqueID: uniqueID, channel: channel), at: now)
    case 80..<95:
        outcome = core.tick(at: now)
    case 95..<98:
        outcome = core.handle(.logout(agent), by: .user(agent), at: now)
    default:
        outcome = core.handle(.login(agent, extension: ExtensionID(String(10000 + a))), by: .user(agent), at: now)
    }
    effectCount += outcome.effects.count
    tally(outcome.effects, into: &effectKinds)
    if (i + 1) % (inputCount / 4) == 0 { samples.append((i + 1, residentMegabytes())) }
}
let elapsed = clock.now - started
let secondsOnCPU = threadCPUSeconds() - startedOnCPU
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
print("AgentCore benchmark: \(agentCount) agents, \(queueCount) queues, \(skillCount) skills, \(inputCount) mixed inputs")
print(String(format: "  %.0f inputs/s (%.3f s), %d effects, %d agents logged in at the end", Double(inputCount) / seconds, seconds, effectCount, core.agents.count))
print(String(format: "  %.0f inputs per CPU second (%.3f s on CPU; the wall-clock rate above also counts time other processes took)", Double(inputCount) / secondsOnCPU, secondsOnCPU))
print("  effects by kind (adds weighted by penalty, transitions by note, saves by calls): \(effectKinds)")
print("  resident memory (MB) after N inputs: " + samples.map { String(format: "%d: %.1f", $0.0, $0.1) }.joined(separator: ", "))
