import CtlKit
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import Synchronization
import SystemSupport

/// Text written by a command, kept for the test to read (from any thread).
final class BufferSink: TextSink {
    private let text = Mutex("")

    func write(_ value: String) { text.withLock { $0 += value } }

    var contents: String { text.withLock { $0 } }
    var lines: [String] { contents.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
}

/// Lines a script would pipe in, or a person would type at the terminal.
final class ScriptedInput: PasswordInput {
    let isTerminal: Bool
    let lines: [String]
    private let next = Mutex(0)
    let prompts = BufferSink()

    init(isTerminal: Bool = false, lines: [String] = []) {
        self.isTerminal = isTerminal
        self.lines = lines
    }

    func readLine() -> String? {
        next.withLock { index in
            guard index < lines.count else { return nil }
            defer { index += 1 }
            return lines[index]
        }
    }

    func readSecret(prompt: String) -> String? {
        prompts.write(prompt)
        return readLine()
    }
}

/// A `Ctl` with buffers for its streams, UTC and a fixed clock (2026-05-01 14:30:00 UTC).
struct TestCtl {
    let output = BufferSink()
    let error = BufferSink()
    var input = ScriptedInput()
    var environment: [String: String] = [:]
    var cancellation: Cancellation?
    var hasher: any PasswordHasher = CryptPasswordHasher()
    var watchTiming = WatchTiming(initialBackoff: .milliseconds(20), maximumBackoff: .milliseconds(100), idleLimit: .seconds(5))

    static let now = Date(timeIntervalSince1970: 1_777_645_800)

    var ctl: Ctl {
        Ctl(
            environment: environment, console: Console(output: output, error: error, input: input),
            timeZone: .utc, clock: { TestCtl.now }, cancellation: cancellation, hasher: hasher,
            watchTiming: watchTiming)
    }

    func run(_ arguments: [String]) -> Int32 { ctl.run(arguments) }
}
