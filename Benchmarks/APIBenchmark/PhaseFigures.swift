/// Nearest-rank percentiles of latencies given in nanoseconds, reported in milliseconds.
struct LatencySummary: Sendable {
    private let sorted: [Int64]

    init(nanoseconds: [Int64]) { sorted = nanoseconds.sorted() }

    var count: Int { sorted.count }

    func milliseconds(at fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return Double(sorted[min(max(rank, 1), sorted.count) - 1]) / 1e6
    }

    var maximum: Double { sorted.last.map { Double($0) / 1e6 } ?? .nan }
    var mean: Double { sorted.isEmpty ? .nan : Double(sorted.reduce(0, +)) / Double(sorted.count) / 1e6 }
}

/// What a phase measured, boiled down to the report's row.
struct PhaseFigures: Sendable {
    var name: String
    var clients: Int
    var seconds: Double
    var warmupRequests: Int
    var latency: LatencySummary
    var errors: Int
    var errorSamples: [String]
    /// Percent of one core over the measured window: the whole process, the client threads, the
    /// simulated Asterisk, the daemon's thread (the agents' state, the JSON of answers, the SQLite
    /// commit) and the HTTP server's thread; nil for a thread that was not found.
    var processCPU: Double
    var clientCPU: Double
    var simulatorCPU: Double?
    var daemonCPU: Double?
    var httpCPU: Double?
    var usageAtEnd: ProcessUsage

    init<Summary>(name: String, outcome: PhaseOutcome<Summary>) {
        self.name = name
        clients = outcome.tallies.count
        seconds = outcome.schedule.from.duration(to: outcome.schedule.until).seconds
        warmupRequests = outcome.tallies.reduce(0) { $0 + $1.warmupRequests }
        latency = LatencySummary(nanoseconds: outcome.tallies.flatMap(\.latencies))
        errors = outcome.tallies.reduce(0) { $0 + $1.errors }
        errorSamples = Array(outcome.tallies.flatMap(\.errorSamples).prefix(10))
        let (from, until) = (outcome.usageFrom, outcome.usageUntil)
        processCPU = until.cpuPercent(since: from)
        clientCPU = until.percent(outcome.tallies.reduce(0) { $0 + $1.cpuSeconds }, since: from)
        simulatorCPU = until.cpuPercent(of: \.simulatorSeconds, since: from)
        daemonCPU = until.cpuPercent(of: \.daemonSeconds, since: from)
        httpCPU = until.cpuPercent(of: \.httpSeconds, since: from)
        usageAtEnd = outcome.usageUntil
    }

    /// The rest: the daemon's AMI reactor, the runtime's and Dispatch's threads (the password checks).
    var otherCPU: Double? {
        guard let simulatorCPU, let daemonCPU, let httpCPU else { return nil }
        // Each figure is read at a slightly different instant: clamp the rounding, which can dip below 0.
        return max(0, processCPU - clientCPU - simulatorCPU - daemonCPU - httpCPU)
    }

    var requestsPerSecond: Double { seconds > 0 ? Double(latency.count) / seconds : 0 }
}
