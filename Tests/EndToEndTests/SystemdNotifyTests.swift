#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import TestSupport

extension EndToEnd {
    /// Scenario 6: READY after the first login, RELOADING then READY on SIGHUP, STOPPING on SIGTERM.
    @Suite struct SystemdNotifyTests {
        private func fields(_ message: String) -> [String: String] {
            var result: [String: String] = [:]
            for line in message.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                result[String(line[..<equals])] = String(line[line.index(after: equals)...])
            }
            return result
        }

        @Test func theDaemonTellsSystemdReadyReloadingStoppingAndFeedsTheWatchdog() throws {
            let harness = try Harness()
            defer { harness.shutdown() }
            let notify = try FakeSystemd(path: harness.directory + "/notify.sock")
            // WATCHDOG_USEC = 0.4 s: a WATCHDOG=1 every 0.2 s from the daemon's own thread.
            let daemon = try harness.startDaemon(
                environment: ["NOTIFY_SOCKET": notify.name, "WATCHDOG_USEC": "400000"], waitUntilReady: false)
            var watchdogs = 0
            /// The next state change, counting the watchdog pings on the way.
            func next(_ what: String) throws -> [String: String] {
                while true {
                    let message = try #require(notify.receiveString(timeout: .seconds(20)), "no \(what)\n\(daemon.tail())")
                    let parsed = fields(message)
                    if parsed == ["WATCHDOG": "1"] {
                        watchdogs += 1
                        continue
                    }
                    return parsed
                }
            }

            let ready = try next("READY=1")
            #expect(ready["READY"] == "1", "\(ready)")
            #expect(ready["STATUS"]?.isEmpty == false, "\(ready)")
            // Ready means logged in to Asterisk and reconciled, not merely started.
            let announced = try harness.waitForLog("daemon.ready")
            #expect(announced.entry["status"] == ready["STATUS"])
            let reconciled = try harness.waitForLog("reconcile.finished")
            #expect(reconciled.index < announced.index, "READY=1 before the first reconcile")

            // A good reload.
            daemon.signal(SIGHUP)
            let reloading = try next("RELOADING=1")
            #expect(reloading["RELOADING"] == "1", "\(reloading)")
            #expect(reloading["MONOTONIC_USEC"].flatMap { UInt64($0) } != nil, "\(reloading)")
            let readyAgain = try next("READY=1 after the reload")
            #expect(readyAgain["READY"] == "1", "\(readyAgain)")
            try harness.waitForLog("config.reloaded")

            // A refused reload still ends in READY=1: the old configuration runs.
            try harness.writeConfig("[general]\ntype = general\nlog_format = yaml\n")
            daemon.signal(SIGHUP)
            let reloadingBad = try next("RELOADING=1")
            #expect(reloadingBad["RELOADING"] == "1", "\(reloadingBad)")
            let readyBad = try next("READY=1 after the refusal")
            #expect(readyBad["READY"] == "1", "\(readyBad)")
            #expect(readyBad["STATUS"]?.contains("refused") == true, "\(readyBad)")

            // The watchdog is fed while all this goes on.
            let fed = ContinuousClock.now
            while watchdogs < 3, ContinuousClock.now < fed.advanced(by: .seconds(10)) {
                if notify.receiveString(timeout: .seconds(1)) == "WATCHDOG=1" { watchdogs += 1 }
            }
            #expect(watchdogs >= 3)

            daemon.signal(SIGTERM)
            let stopping = try next("STOPPING=1")
            #expect(stopping["STOPPING"] == "1", "\(stopping)")
            let exit = try #require(daemon.waitForExit(timeout: .seconds(10)))
            #expect(exit.status == 0 && !exit.signalled)
        }
    }
}
