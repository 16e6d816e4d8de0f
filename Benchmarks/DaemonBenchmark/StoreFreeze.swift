import Foundation

/// A slow disk, on purpose: `fsfreeze` the file system holding the store for `seconds`, `at`
/// seconds into the flood. The daemon's thread blocks in its next commit while its AMI reader
/// goes on reading, which is how the hand-off between them grows in production (an fsync stuck
/// behind other writes). FREEZE_MOUNT must be a file system of its own (run-daemon-rss.sh
/// mounts a loop image), never the one the machine runs on.
struct StoreFreeze {
    let mount: String
    let seconds: Int
    let at: Int

    static func fromSettings(_ settings: BenchmarkSettings) throws -> StoreFreeze? {
        guard settings.freezeSeconds > 0 else { return nil }
        guard let mount = settings.freezeMount, mount != "/", settings.temporaryRoot.hasPrefix(mount) else {
            throw BenchmarkFailure("FREEZE_SECONDS needs FREEZE_MOUNT, a file system of its own holding BENCH_TMPDIR")
        }
        return StoreFreeze(mount: mount, seconds: settings.freezeSeconds, at: settings.freezeAt)
    }

    /// Waits until `at` seconds after `start`, freezes, waits `seconds`, thaws (also when cancelled).
    func run(from start: ContinuousClock.Instant) async throws {
        try await Task.sleep(until: start.advanced(by: .seconds(at)), clock: .continuous)
        try fsfreeze("-f")
        progress("store frozen for \(seconds) s")
        defer {
            try? fsfreeze("-u")
            progress("store thawed")
        }
        try await Task.sleep(for: .seconds(seconds))
    }

    private func fsfreeze(_ flag: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/fsfreeze")
        process.arguments = [flag, mount]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkFailure("fsfreeze \(flag) \(mount) exited \(process.terminationStatus)") }
    }
}
