import Foundation
import Testing
import TestSupport
@testable import SystemSupport

@Suite(.timeLimit(.minutes(1))) struct SystemdNotifierTests {
    @Test(arguments: [false, true])
    func readySendsTheExactBytes(abstract: Bool) throws {
        let systemd = abstract ? try FakeSystemd.abstract() : try FakeSystemd()
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.name]))
        #expect(notifier.ready(status: "Connected to AMI"))
        #expect(systemd.receive() == Array("READY=1\nSTATUS=Connected to AMI".utf8))
        #expect(notifier.ready())
        #expect(systemd.receive() == Array("READY=1".utf8))
        #expect(notifier.failures == 0)
    }

    @Test func eachHelperSendsItsMessage() throws {
        let systemd = try FakeSystemd()
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.name]))
        notifier.stopping()
        #expect(systemd.receiveString() == "STOPPING=1")
        notifier.status("3 agents ready")
        #expect(systemd.receiveString() == "STATUS=3 agents ready")
        notifier.watchdog()
        #expect(systemd.receiveString() == "WATCHDOG=1")
        notifier.notify("EXTEND_TIMEOUT_USEC=5000000")
        #expect(systemd.receiveString() == "EXTEND_TIMEOUT_USEC=5000000")
    }

    @Test func aNewlineInAStatusCannotAddAnAssignment() throws {
        let systemd = try FakeSystemd()
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.name]))
        notifier.status("bad\nREADY=1")
        #expect(systemd.receiveString() == "STATUS=bad READY=1")
    }

    @Test func reloadingCarriesTheMonotonicClock() throws {
        let systemd = try FakeSystemd.abstract()
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": systemd.name]))
        let before = SystemdNotifier.monotonicMicroseconds()
        #expect(notifier.reloading())
        let after = SystemdNotifier.monotonicMicroseconds()
        let lines = try #require(systemd.receiveString()).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2)
        #expect(lines.first == "RELOADING=1")
        let value = try #require(lines.last?.split(separator: "=", maxSplits: 1).last.flatMap { UInt64($0) })
        #expect(lines.last?.hasPrefix("MONOTONIC_USEC=") == true)
        #expect(before <= value && value <= after)
    }

    @Test(arguments: [
        [:], ["NOTIFY_SOCKET": ""], ["NOTIFY_SOCKET": "relative/path"], ["NOTIFY_SOCKET": "@"],
        ["NOTIFY_SOCKET": "vsock:2:1234"], ["NOTIFY_SOCKET": "/" + String(repeating: "x", count: 200)],
    ])
    func noNotifierWithoutAUsableSocket(environment: [String: String]) {
        #expect(SystemdNotifier(environment: environment) == nil)
    }

    @Test func aVanishedSocketIsCountedNotFatal() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sdn-\(UUID().uuidString.prefix(8))")
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": dir.appendingPathComponent("gone").path]))
        #expect(!notifier.ready())
        #expect(!notifier.watchdog())
        #expect(notifier.failures == 2)
        #expect(notifier.lastError?.code == ENOENT)
        #expect(throws: SystemCallError.self) { try notifier.send("WATCHDOG=1") }
        #expect(notifier.failures == 2)  // `send` reports instead of counting
    }

    @Test func watchdogIntervalIsHalfOfWatchdogUsec() {
        let pid: pid_t = 4242
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000"], pid: pid) == .seconds(15))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "3"], pid: pid) == .microseconds(1))
        #expect(
            SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"], pid: pid)
                == .seconds(15))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": ""], pid: pid) == .seconds(15))
        #expect(SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000"]) == .seconds(15))
        #expect(
            SystemdNotifier.watchdogInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(getpid())"])
                == .seconds(15))
    }

    @Test(arguments: [
        [:], ["WATCHDOG_USEC": ""], ["WATCHDOG_USEC": "0"], ["WATCHDOG_USEC": "-5"], ["WATCHDOG_USEC": "30s"],
        ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4243"], ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "nope"],
    ])
    func noWatchdogWhenOffOrForAnotherProcess(environment: [String: String]) {
        #expect(SystemdNotifier.watchdogInterval(environment: environment, pid: 4242) == nil)
    }
}
