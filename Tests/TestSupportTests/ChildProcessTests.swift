#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport

/// The child-process helper itself: exit statuses, both streams, input, signals, and a child that
/// outlives its deadline is killed and reported instead of hanging the run.
@Suite(.timeLimit(.minutes(1))) struct ChildProcessTests {
    @Test func runReturnsTheStatusAndBothStreams() throws {
        let result = try ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(result.termination == .exited(3))
        #expect(result.stdout == "out\n")
        #expect(result.stderr == "err\n")
    }

    @Test func inputIsWrittenThenEnded() throws {
        #expect(try ChildProcess.run("/bin/cat", input: .text("a\nb")).stdout == "a\nb")
        #expect(try ChildProcess.run("/bin/cat").stdout == "")
        // A child that exits without reading its input is no harm to the writer.
        #expect(try ChildProcess.run("/bin/true", input: .text(String(repeating: "x", count: 10_000))).status == 0)
    }

    @Test func aSignalEndsItAndSaysWhich() throws {
        let child = try ChildProcess(executable: "/bin/sleep", arguments: ["30"])
        #expect(child.isRunning)
        child.signal(SIGTERM)
        #expect(child.waitForExit(timeout: .seconds(10)) == .killed(by: SIGTERM))
        #expect(!child.isRunning)
        child.signal(SIGTERM)  // reaped: nothing is sent
    }

    @Test func aChildPastItsDeadlineIsKilledAndReported() throws {
        let start = ContinuousClock.now
        #expect {
            try ChildProcess.run("/bin/sleep", ["30"], timeout: .milliseconds(200))
        } throws: { error in
            "\(error)".contains("still ran after")
        }
        #expect(start.duration(to: .now) < .seconds(10))
    }

    @Test func theEnvironmentIsAddedToButNeverCarriesNotifySocket() throws {
        let result = try ChildProcess.run("/bin/sh", ["-c", "echo \"$A:${NOTIFY_SOCKET-unset}\""], environment: ["A": "b"])
        #expect(result.stdout == "b:unset\n")
    }

    @Test func linesArriveWhileTheChildRuns() throws {
        let child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "echo one; sleep 30"])
        #expect(eventually { child.stdout.lines == ["one"] })
        #expect(!child.stdout.ended)
        child.kill()
        #expect(!child.isRunning)
    }
}
