import Foundation
import Testing

extension EndToEnd {
    /// Scenario 7: a store that cannot be opened stops ccagentd at once, with a reason.
    @Suite struct BadStoreTests {
        enum Damage: String, CaseIterable, CustomTestStringConvertible {
            case uncreatableDirectory, garbageFile, directoryInstead
            var testDescription: String { rawValue }
        }

        @Test(arguments: Damage.allCases)
        func anUnusableStoreExitsOneWithAMessage(damage: Damage) throws {
            let directory = NSTemporaryDirectory() + "ccagentd-e2e-" + UUID().uuidString.prefix(8).lowercased()
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let database: String
            switch damage {
            case .uncreatableDirectory:
                // A missing directory is created (Database.open); one under a regular file cannot be.
                try Data("a file\n".utf8).write(to: URL(fileURLWithPath: directory + "/file"))
                database = directory + "/file/state/ccagentd.sqlite"
            case .garbageFile:
                database = directory + "/ccagentd.sqlite"
                let garbage = (0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
                try Data(garbage).write(to: URL(fileURLWithPath: database))
            case .directoryInstead:
                database = directory + "/ccagentd.sqlite"
                try FileManager.default.createDirectory(atPath: database, withIntermediateDirectories: true)
            }
            let config = directory + "/ccagentd.conf"
            // Port 9 (discard): nothing is meant to get that far.
            try TestConfigs.daemon(port: 9, database: database).write(toFile: config, atomically: true, encoding: .utf8)

            let daemon = try ChildProcess(name: "ccagentd", executable: try Executables.path("ccagentd"), arguments: ["--config", config])
            defer { daemon.kill() }
            let exit = try #require(daemon.waitForExit(timeout: .seconds(15)), "ccagentd still runs\n\(daemon.tail())")
            #expect(exit.signalled == false, "ccagentd crashed\n\(daemon.tail())")
            #expect(exit.status == 1, "\(daemon.tail())")
            _ = poll(timeout: .seconds(5)) { daemon.stderr.ended }
            let stderr = daemon.stderr.lines.joined(separator: "\n")
            #expect(stderr.contains("cannot use the store"), "stderr: \(stderr)")
            #expect(stderr.contains(database), "stderr: \(stderr)")
            #expect(!stderr.contains("Fatal error"), "stderr: \(stderr)")
            #expect(!daemon.stdout.lines.contains { $0.contains("daemon.ready") })
            if damage == .garbageFile {
                // The damaged file is left as it was, for a person to look at.
                let bytes = try Data(contentsOf: URL(fileURLWithPath: database))
                #expect(bytes.count == 8192 && bytes.first == 7)
            }
        }
    }
}
