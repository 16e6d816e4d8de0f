import Foundation
import Testing

extension EndToEnd {
    /// Scenario 7: a store that cannot be opened stops ccagentd at once, with a reason. (A path
    /// where no store can be, a missing directory or a directory in the file's place, is refused
    /// before anything is opened: `StartupFailureTests`.)
    @Suite struct BadStoreTests {
        @Test func aGarbageStoreExitsOneWithAMessageAndLeavesNothingBehind() throws {
            let run = try StartupRun()
            defer { run.remove() }
            let database = run.directory + "/ccagentd.sqlite"
            let garbage = (0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
            try Data(garbage).write(to: URL(fileURLWithPath: database))
            // The listeners were bound before the store was opened: the socket goes with the failure.
            try run.writeConfig(database: database, listen: "127.0.0.1:0", api: "socket = \(run.directory)/api.sock")

            let result = try run.start()
            #expect(result.exit.signalled == false, "ccagentd crashed\n\(result.tail)")
            #expect(result.exit.status == 1, "\(result.tail)")
            #expect(result.stderr.contains("cannot use the store"), "\(result.tail)")
            #expect(result.stderr.contains(database), "\(result.tail)")
            #expect(!result.stderr.contains("Fatal error"), "\(result.tail)")
            #expect(result.startFailed.count == 1, "\(result.tail)")
            #expect(!result.stdout.contains("daemon.ready"), "\(result.tail)")
            // No -wal, -shm or socket left; the damaged file as it was, for a person to look at.
            #expect(result.filesAfter == result.filesBefore, "\(result.tail)")
            let bytes = try Data(contentsOf: URL(fileURLWithPath: database))
            #expect(bytes.count == 8192 && bytes.first == 7)
        }
    }
}
