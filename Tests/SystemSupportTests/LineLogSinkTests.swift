import Foundation
import Synchronization
import Testing
import TestSupport
@testable import SystemSupport

/// 2026-11-21T10:15:30.123Z
private let fixedClock: @Sendable () -> (seconds: Int, milliseconds: Int) = { (1_795_256_130, 123) }

/// Runs `body` with a sink writing into a fresh temp file and returns what it wrote.
private func capture(_ format: LineLogSink.Format, _ body: (LineLogSink) -> Void) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("LineLogSinkTests-\(UUID().uuidString)").path
    let fd = open(path, O_CREAT | O_RDWR | O_TRUNC | O_CLOEXEC, 0o600)
    try #require(fd >= 0)
    defer { close(fd); unlink(path) }
    let sink = LineLogSink(format: format, fileDescriptor: fd, clock: fixedClock)
    body(sink)
    #expect(sink.dropped == 0)
    let data = try #require(FileManager.default.contents(atPath: path))
    return String(decoding: data, as: UTF8.self)
}

private func lines(_ output: String) -> [String] {
    #expect(output.isEmpty || output.hasSuffix("\n"))
    return output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
}

private func parseJSON(_ line: String) throws -> [String: Any] {
    let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
    return try #require(object as? [String: Any])
}

private let statusChanged = LogRecord(
    level: .info, event: "agent.status_changed",
    fields: [("agent", "dana@example.com"), ("from", "connected"), ("to", "break"), ("cause", "agent")])

private let actionFailed = LogRecord(
    level: .warning, event: "ami.action_failed",
    fields: [
        ("action", "QueueAdd"), ("action_id", "17"), ("latency_ms", .int(250)), ("attempt", 3), ("count", "x"),
        ("error", #"Interface "PJSIP/201" not found"#), ("ts", "bogus"), ("timeout_ms", "1.5"),
    ])

private let awkward = LogRecord(
    level: .critical, event: "x.y",
    fields: [
        ("empty", ""), ("sp", "a b"), ("eq", "a=b"), ("nl", "line1\nline2"), ("bs", #"C:\x"#), ("tab", "a\tb"),
        ("heb", "שלום"), ("emoji", "👋🏽"), ("bad key=\"", "v"),
    ])

@Suite struct LineLogSinkTests {
    @Test func jsonLinesAreExactWithKeysInOrder() throws {
        let output = try capture(.json) { sink in
            sink.write(statusChanged)
            sink.write(actionFailed)
            sink.write(LogRecord(level: .debug, event: "ami.connected", fields: []))
        }
        #expect(lines(output) == [
            #"{"ts":"2026-11-21T10:15:30.123Z","level":"info","event":"agent.status_changed","agent":"dana@example.com","from":"connected","to":"break","cause":"agent"}"#,
            #"{"ts":"2026-11-21T10:15:30.123Z","level":"warning","event":"ami.action_failed","action":"QueueAdd","action_id":"17","latency_ms":250,"attempt":3,"count":"x","error":"Interface \"PJSIP/201\" not found","field_ts":"bogus","timeout_ms":"1.5"}"#,
            #"{"ts":"2026-11-21T10:15:30.123Z","level":"debug","event":"ami.connected"}"#,
        ])
        for line in lines(output) { _ = try parseJSON(line) }
        let failed = try parseJSON(lines(output)[1])
        #expect(failed["latency_ms"] as? Int == 250)
        #expect(failed["attempt"] as? Int == 3)
        #expect(failed["action_id"] as? String == "17")
        #expect(failed["ts"] as? String == "2026-11-21T10:15:30.123Z")
        #expect(failed["field_ts"] as? String == "bogus")
    }

    @Test func textLinesAreExact() throws {
        let output = try capture(.text) { sink in
            sink.write(statusChanged)
            sink.write(actionFailed)
            sink.write(awkward)
            sink.write(LogRecord(level: .error, event: "", fields: []))
        }
        #expect(lines(output) == [
            "2026-11-21T10:15:30.123Z info  agent.status_changed agent=dana@example.com from=connected to=break cause=agent",
            #"2026-11-21T10:15:30.123Z warning ami.action_failed action=QueueAdd action_id=17 latency_ms=250 attempt=3 count=x error="Interface \"PJSIP/201\" not found" ts=bogus timeout_ms=1.5"#,
            #"2026-11-21T10:15:30.123Z critical x.y empty="" sp="a b" eq="a=b" nl="line1\nline2" bs="C:\\x" tab="a\tb" heb=שלום emoji=👋🏽 bad_key__=v"#,
            "2026-11-21T10:15:30.123Z error -",
        ])
    }

    @Test func jsonEscapingIsExact() throws {
        let value = "a\"b\\c\n\r\t\u{01}\u{1F}\u{7F}\u{2028}\u{2029}\u{08}\u{0C}é"
        let output = try capture(.json) { $0.write(LogRecord(level: .info, event: "e\"v", fields: [("k\n", .string(value))])) }
        #expect(lines(output) == [
            #"{"ts":"2026-11-21T10:15:30.123Z","level":"info","event":"e\"v","k\n":"a\"b\\c\n\r\t\u0001\u001f\u007f\u2028\u2029\b\fé"}"#
        ])
    }

    @Test func jsonRoundTripsTrickyStrings() throws {
        var tricky = [
            "", " ", "\"", "\\", "\\\"", "\"\\", "line1\nline2\r\n", "tab\there", "\u{0}nul", "bell\u{07}",
            "שלום עולם", "👋🏽 family: 👨‍👩‍👧‍👦", "\u{2028}\u{2029}", "{\"not\":\"json\"}", "\u{7F}\u{80}\u{FFFD}",
            "a=b \"c\" d\\e", String(repeating: "ü\"\n", count: 500),
        ]
        tricky.append(String((0..<0x80).map { Character(Unicode.Scalar(UInt8($0))) }))
        let fields = tricky.enumerated().map { ("v\($0.offset)", $0.element) } + [("quote\"key", "x")]
        let record = LogRecord(level: .notice, event: "test.tricky", fields: fields.map { ($0.0, .string($0.1)) })
        let output = try capture(.json) { $0.write(record) }
        #expect(lines(output).count == 1)
        let object = try parseJSON(try #require(lines(output).first))
        for (key, value) in fields { #expect(object[key] as? String == value, "\(key)") }
        #expect(object.count == fields.count + 3)
        #expect(object["level"] as? String == "notice")
        #expect(object["event"] as? String == "test.tricky")
    }

    @Test func textQuotedValuesReadBackAsJSONStrings() throws {
        let value = "say \"hi\"\n\tand \\ leave\u{01}"
        let output = try capture(.text) { $0.write(LogRecord(level: .info, event: "e", fields: [("v", .string(value))])) }
        let line = try #require(lines(output).first)
        let quoted = try #require(line.range(of: "v=")).upperBound
        let parsed = try JSONSerialization.jsonObject(with: Data(line[quoted...].utf8), options: .fragmentsAllowed)
        #expect(parsed as? String == value)
    }

    @Test(arguments: [LineLogSink.Format.json, .text])
    func secretsAreRedacted(format: LineLogSink.Format) throws {
        let fields: [(String, LogValue)] = [
            ("agent", "dana"), ("Password", "hunter2"), ("SECRET", "s3cr3tAMI"), ("password_hash", "$argon2id$v=19$abc"),
            ("key", "k3y"), ("Token", "t0k3n"), ("secret_ref", "visible"), ("count", 5), ("token", .int(90210)),
        ]
        let output = try capture(format) { $0.write(LogRecord(level: .info, event: "auth.login", fields: fields)) }
        for secret in ["hunter2", "s3cr3tAMI", "argon2id", "k3y", "t0k3n", "90210"] { #expect(!output.contains(secret)) }
        #expect(output.contains("visible"))
        if format == .json {
            let object = try parseJSON(try #require(lines(output).first))
            for key in ["Password", "SECRET", "password_hash", "key", "Token", "token"] { #expect(object[key] as? String == "***") }
            #expect(object["count"] as? Int == 5)
        } else {
            #expect(output.hasSuffix(" Password=*** SECRET=*** password_hash=*** key=*** Token=*** secret_ref=visible count=5 token=***\n"))
        }
    }

    @Test(arguments: [
        (0, 0, "1970-01-01T00:00:00.000Z"),
        (-1, 0, "1969-12-31T23:59:59.000Z"),
        (951_782_400, 0, "2000-02-29T00:00:00.000Z"),
        (1_709_164_799, 999, "2024-02-28T23:59:59.999Z"),
        (1_709_164_800, 7, "2024-02-29T00:00:00.007Z"),
        (1_709_251_199, 42, "2024-02-29T23:59:59.042Z"),
        (1_709_251_200, 100, "2024-03-01T00:00:00.100Z"),
        (1_704_067_199, 999, "2023-12-31T23:59:59.999Z"),
        (1_704_067_200, 5, "2024-01-01T00:00:00.005Z"),
        (1_735_689_599, 0, "2024-12-31T23:59:59.000Z"),
        (4_107_542_399, 40, "2100-02-28T23:59:59.040Z"),
        (4_107_542_400, 0, "2100-03-01T00:00:00.000Z"),
        (1_234_567_890, 1000, "2009-02-13T23:31:30.999Z"),
        (1_234_567_890, -5, "2009-02-13T23:31:30.000Z"),
        (1_795_256_130, 123, "2026-11-21T10:15:30.123Z"),
        (253_402_300_799, 999, "9999-12-31T23:59:59.999Z"),
    ])
    func timestamps(seconds: Int, milliseconds: Int, expected: String) {
        #expect(LogLineFormatter.timestamp(seconds: seconds, milliseconds: milliseconds) == expected)
    }

    @Test func timestampsAgreeWithFoundationOverFourHundredYearsAndMore() {
        let reference = ISO8601DateFormatter()
        reference.formatOptions = [.withInternetDateTime]
        reference.timeZone = TimeZone(identifier: "UTC")
        var random = SplitMix64(seed: 0x9E37_79B9_7F4A_7C15)  // a fixed sequence, no luck involved
        let low = -2_208_988_800  // 1900-01-01
        let span = UInt64(253_402_300_799 - low)
        for _ in 0..<5000 {
            let seconds = low + Int(random.next() % span)
            let ours = LogLineFormatter.timestamp(seconds: seconds, milliseconds: 0)
            let theirs = reference.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            #expect(ours == theirs.dropLast() + ".000Z", "\(seconds)")
        }
    }

    @Test func wallClockIsNow() {
        let now = LineLogSink.wallClock()
        #expect(abs(now.seconds - Int(Date().timeIntervalSince1970)) <= 2)
        #expect((0...999).contains(now.milliseconds))
    }

    /// Through a pipe, with lines longer than `PIPE_BUF`: the kernel would interleave such writes from
    /// several threads (it does when the lock is taken out), so only the sink's lock keeps lines whole.
    @Test func concurrentWritersProduceOnlyWholeLines() throws {
        let threads = 8
        let perThread = 200
        let padding = String(repeating: "x", count: 6000)
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]) }
        let readEnd = fds[0]
        let received = Mutex<[UInt8]>([])
        let readerDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            received.withLock { $0 = drain(readEnd, blocking: true) }
            readerDone.signal()
        }
        let sink = LineLogSink(format: .json, fileDescriptor: fds[1], clock: fixedClock)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for n in 0..<perThread {
                sink.write(LogRecord(
                    level: .info, event: "test.line", fields: [("thread", "\(thread)"), ("n", "\(n)"), ("padding", .string(padding))]))
            }
        }
        close(fds[1])
        readerDone.wait()
        #expect(sink.dropped == 0)

        let all = lines(String(decoding: received.withLock { $0 }, as: UTF8.self))
        #expect(all.count == threads * perThread)
        var seen = Set<String>()
        for line in all {
            let object = try parseJSON(line)
            #expect(object["event"] as? String == "test.line")
            #expect(object["padding"] as? String == padding)
            seen.insert("\(object["thread"] ?? "?")/\(object["n"] ?? "?")")
        }
        #expect(seen.count == threads * perThread)
    }

    @Test func aFullNonBlockingPipeDropsLinesAndNeverBlocks() throws {
        var fds: [Int32] = [-1, -1]
        try #require(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        let sink = LineLogSink(format: .text, fileDescriptor: fds[1], clock: fixedClock)
        fill(fds[1])

        let started = ContinuousClock.now
        sink.write(statusChanged)
        #expect(sink.dropped == 1)
        // A cut line: room for part of it, then nobody reads. It waits about 100 ms, then gives up.
        _ = drain(fds[0], limit: 16_384)
        sink.write(LogRecord(level: .info, event: "big", fields: [("v", .string(String(repeating: "y", count: 60_000)))]))
        #expect(sink.dropped == 2)
        #expect(ContinuousClock.now - started < .seconds(2))

        let stale = drain(fds[0])
        #expect(stale.last != 0x0A)  // the cut line really was cut
        sink.write(statusChanged)
        #expect(sink.dropped == 2)
        let fresh = String(decoding: drain(fds[0]), as: UTF8.self)
        #expect(fresh == "\n2026-11-21T10:15:30.123Z info  agent.status_changed agent=dana@example.com from=connected to=break cause=agent\n")
        sink.write(statusChanged)
        #expect(drain(fds[0]).first == 0x32)  // "2026-…": the extra newline comes once
    }

    @Test func aClosedSocketPeerOrBadDescriptorIsCountedNotFatal() throws {
        var fds: [Int32] = [-1, -1]
        try #require(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        defer { close(fds[0]) }
        close(fds[1])
        let sink = LineLogSink(format: .json, fileDescriptor: fds[0], clock: fixedClock)
        sink.write(statusChanged)  // EPIPE through send(MSG_NOSIGNAL): no SIGPIPE
        sink.write(statusChanged)
        #expect(sink.dropped == 2)

        let closed = LineLogSink(format: .text, fileDescriptor: -1, clock: fixedClock)
        closed.write(statusChanged)
        #expect(closed.dropped == 1)
    }
}

private func fill(_ fd: Int32) {
    let chunk = [UInt8](repeating: 0x41, count: 4096)
    while chunk.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
}

/// Reads what is there (non-blocking descriptor), or until end of file (`blocking`).
private func drain(_ fd: Int32, limit: Int = .max, blocking: Bool = false) -> [UInt8] {
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while out.count < limit {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, limit - out.count)) }
        if n == -1, errno == EINTR, blocking { continue }
        if n <= 0 { break }
        out.append(contentsOf: buffer[..<n])
    }
    return out
}
