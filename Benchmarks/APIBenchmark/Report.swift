import Foundation

/// Everything the summary prints.
struct Report {
    var plan: CallCenterPlan
    var loadAtStart: String
    var loadAtEnd: String
    var storeFileSystem: String
    var phases: [PhaseFigures]
    var actions: ActionCheck
    var daemonCommands: Int
    var daemonRefused: Int
    var actionsFailed: Int
    var storeFailures: Int
    /// Resident memory once everybody is logged in, before the first phase.
    var residentAfterSetUp: Int
    /// Actions in the simulator's own log of what it received (it keeps up to 100,000).
    var simulatorLoggedActions: Int

    /// Whether every answer was right and Asterisk got every queue action it should have.
    var passed: Bool { phases.allSatisfy { $0.errors == 0 } && actions.consistent }

    func printed() -> String {
        (header() + [""] + latencyTable() + [""] + cpuTable() + [""] + checks()).joined(separator: "\n")
    }

    private func header() -> [String] {
        [
            "==== APIBenchmark: the control API over TCP loopback; simulator, Daemon, APIService and clients in one process ====",
            "machine: \(loadAtStart) at start; \(loadAtEnd) at end",
            "set-up: \(plan.agents) agents logged in (personal extensions, 2 skills = 4 queues each, \(plan.totalMemberships) memberships), "
                + "\(CallCenterPlan.queueCount) queues; admin token (no crypt(3) per request)",
            "        store: SQLite (WAL, synchronous = FULL) in a temp dir on \(storeFileSystem); logs at notice on stderr",
            "        clients: one thread each, one keep-alive HTTP/1.1 connection each",
        ]
    }

    private func latencyTable() -> [String] {
        var lines = ["  phase                                 clients  seconds  requests     req/s     p50     p90     p99   p99.9     max    mean  errors"]
        for phase in phases {
            let l = phase.latency
            lines.append(
                "  " + phase.name.padding(toLength: 36, withPad: " ", startingAt: 0)
                    + String(
                        format: "  %7d  %7.1f  %8d  %8.0f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f  %6d", phase.clients, phase.seconds, l.count,
                        phase.requestsPerSecond, l.milliseconds(at: 0.5), l.milliseconds(at: 0.9), l.milliseconds(at: 0.99),
                        l.milliseconds(at: 0.999), l.maximum, l.mean, phase.errors))
        }
        lines.append("  (latency in ms, from writing the request to reading the whole answer; requests started in the measured window, warm-up excluded)")
        return lines
    }

    private func cpuTable() -> [String] {
        func cell(_ value: Double?, _ width: Int) -> String {
            (value.map { String(format: "%.0f", $0) } ?? "?").padding(toLength: width, withPad: " ", startingAt: 0)
        }
        var lines = [
            "  " + "CPU, % of one core (200 = both)".padding(toLength: 38, withPad: " ", startingAt: 0)
                + "process  clients  amisim  daemon thread  http thread  other   VmRSS at end (MB)"
        ]
        for phase in phases {
            lines.append(
                "  " + phase.name.padding(toLength: 38, withPad: " ", startingAt: 0) + cell(phase.processCPU, 9) + cell(phase.clientCPU, 9)
                    + cell(phase.simulatorCPU, 8) + cell(phase.daemonCPU, 15) + cell(phase.httpCPU, 13) + cell(phase.otherCPU, 8)
                    + megabytes(phase.usageAtEnd.residentKiB))
        }
        lines.append("  (other: the daemon's AMI connection thread, the runtime's and Dispatch's threads, where the password checks run)")
        return lines
    }

    private func checks() -> [String] {
        var lines = [
            "queue actions read by the simulated Asterisk during the status phase (warm-up and clean-up included):",
            "  QueueAdd \(actions.counted.adds) (expected \(actions.expected.adds)), QueueRemove \(actions.counted.removes) "
                + "(expected \(actions.expected.removes)) for \(actions.changes) changes answered 200 -> "
                + (actions.consistent ? "consistent" : "INCONSISTENT: the API answered without Asterisk being told"),
            "daemon: \(daemonCommands) commands, \(daemonRefused) refused, \(actionsFailed) queue actions failed, \(storeFailures) store failures",
        ]
        if let peak = phases.map(\.usageAtEnd.peakResidentKiB).max() {
            lines.append(
                "memory (whole process): VmRSS \(megabytes(residentAfterSetUp)) MB after set-up and logins; VmHWM \(megabytes(peak)) MB. "
                    + "The status phase's growth is mostly the simulator's own log of the actions it received: \(simulatorLoggedActions) kept "
                    + "(it keeps up to 100,000; about 1 KB each, judging by runs of different lengths)")
        }
        for phase in phases where phase.errors > 0 {
            lines.append("ERRORS in \(phase.name): \(phase.errors); the first ones:")
            lines += phase.errorSamples.map { "  " + $0 }
        }
        lines.append(passed ? "result: PASSED (every answer right, queue actions consistent)" : "result: FAILED")
        return lines
    }

    private func megabytes(_ kib: Int) -> String { String(format: "%.1f", Double(kib) / 1024) }

    /// The type of the file system holding `path` (the store's fsync cost depends on it: on
    /// tmpfs `synchronous = FULL` costs nothing). `statfs(2)` is not in Glibc's Swift module,
    /// and `stat -f` calls ext4 "ext2/ext3": findmnt names it.
    static func fileSystem(of path: String) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/findmnt")
        process.arguments = ["-n", "-o", "FSTYPE", "-T", path]
        let output = Pipe()
        process.standardOutput = output
        guard (try? process.run()) != nil else { return "? (\(path))" }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // A mount point mounted over lists every layer; the first is the one in use.
        let type = String(decoding: data, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? "?"
        return "\(type) (\(path))"
    }
}

/// The status phase's changes against what Asterisk read.
struct ActionCheck {
    var changes: Int
    var expected: QueueActionCounter.Counts
    var counted: QueueActionCounter.Counts

    var consistent: Bool { expected == counted }
}
