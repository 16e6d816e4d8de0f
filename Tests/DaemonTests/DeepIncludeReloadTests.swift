import ControlPort
import Daemon
import Foundation
import Testing

extension DaemonTests {
    /// A reload runs on a Dispatch worker, whose stack is smaller than the main thread's: a deep
    /// `#include` chain killed the daemon there. It is refused like any bad file.
    @Suite struct DeepIncludeReload {
        @Test func aReloadOfAChainFifteenHundredDeepIsRefusedAndTheDaemonLives() async throws {
            let harness = try DaemonHarness()
            defer { Task { await harness.close() } }
            try await harness.waitReady()
            let deep = harness.directory.appendingPathComponent("deep")
            try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
            for level in 1...1500 {
                let text = level == 1500 ? "; the bottom\n" : "#include f\(level + 1).conf\n"
                try Data(text.utf8).write(to: deep.appendingPathComponent("f\(level).conf"))
            }
            let good = try String(contentsOfFile: harness.configPath, encoding: .utf8)
            try (good + "\n#include deep/f1.conf\n").write(toFile: harness.configPath, atomically: true, encoding: .utf8)
            let result = await harness.daemon.reload(harness.configPath)
            #expect(result == .refused(errors: [
                "\(deep.path)/f16.conf:1: #include of \"\(deep.path)/f17.conf\" would nest 17 deep; at most 16 levels of #include are read"
            ]))
            // Still running, on the old rules.
            _ = try await harness.submit(.login("dana@example.com", extension: "101")).result.get()
        }
    }
}
