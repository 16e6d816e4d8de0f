// Decoder throughput on a realistic event mix built from the recorded Asterisk 22 transcripts,
// on one core, and the same byte stream through Debian's python3-panoramisk parser for a ratio.
//
//   AMIDecoderBenchmark [--fixtures DIR] [--megabytes N] [--chunk BYTES] [--iterations N]
//                       [--python PATH] [--panoramisk-script PATH] [--no-python]

import AMI
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Options {
    var fixtures: String?
    var megabytes = 64
    var chunk = 64 * 1024
    var iterations = 7
    var python = "/usr/bin/python3"
    var panoramiskScript: String?
    var runPython = true

    static func parse(_ arguments: [String]) -> Options? {
        var options = Options()
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            if flag == "--no-python" {
                options.runPython = false
                continue
            }
            guard let value = rest.popFirst() else { return nil }
            switch flag {
            case "--fixtures": options.fixtures = value
            case "--megabytes": guard let n = Int(value), n > 0 else { return nil }; options.megabytes = n
            case "--chunk": guard let n = Int(value), n > 0 else { return nil }; options.chunk = n
            case "--iterations": guard let n = Int(value), n >= 0 else { return nil }; options.iterations = n
            case "--python": options.python = value
            case "--panoramisk-script": options.panoramiskScript = value
            default: return nil
            }
        }
        return options
    }
}

func fail(_ text: String, code: Int32 = 1) -> Never {
    FileHandle.standardError.write(Data("Error: \(text)\n".utf8))
    exit(code)
}

guard let options = Options.parse(Array(CommandLine.arguments.dropFirst())) else {
    fail(
        "bad arguments\nUSAGE: AMIDecoderBenchmark [--fixtures DIR] [--megabytes N] [--chunk BYTES] [--iterations N] [--python PATH] [--panoramisk-script PATH] [--no-python]",
        code: 64)
}

// MARK: The event mix

/// The scenarios with call traffic: what a busy PBX sends (channels, dialplan, dials, bridges,
/// queue members, device states, agents). Login and shutdown events are left out: they are not traffic.
let trafficScenarios = [
    "04-queue-member-actions", "05-queue-status-summary", "06-inbound-call-queue", "06b-inbound-ringnoanswer-abandon",
    "06c-inbound-agent-hangs-up", "06d-inbound-remote-agent", "07-outbound-call-agent", "08-coreshowchannels-live-call",
    "10-redirect-transfer", "10b-blindtransfer", "11-mixmonitor", "12-originate", "17-core-restart-with-live-call",
]
let sessionEvents: Set<String> = ["FullyBooted", "SuccessfulAuth", "Shutdown"]

func fixturesDirectory() -> String {
    let candidates = [options.fixtures, "Tests/AMITests/Fixtures", "../shared/ami-transcripts"].compactMap { $0 }
    for candidate in candidates where FileManager.default.fileExists(atPath: "\(candidate)/06-inbound-call-queue.recv.txt") {
        return candidate
    }
    fail("no transcripts found in \(candidates.joined(separator: ", ")); pass --fixtures DIR")
}

/// The raw bytes of every traffic event, each with its closing blank line, in capture order.
func eventFrames(in directory: String) -> [[UInt8]] {
    var frames: [[UInt8]] = []
    let terminator: [UInt8] = Array("\r\n\r\n".utf8)
    let prefix = Array("Event: ".utf8)
    for scenario in trafficScenarios {
        guard let data = FileManager.default.contents(atPath: "\(directory)/\(scenario).recv.txt") else {
            fail("cannot read \(directory)/\(scenario).recv.txt")
        }
        let bytes = [UInt8](data)
        var start = 0
        var index = 0
        while index + 4 <= bytes.count {
            if bytes[index] == 0x0D, bytes[index..<(index + 4)].elementsEqual(terminator) {
                let frame = bytes[start..<(index + 4)]
                if frame.starts(with: prefix) {
                    let firstLine = frame.prefix { $0 != 0x0D }.dropFirst(prefix.count)
                    if !sessionEvents.contains(String(decoding: firstLine, as: UTF8.self)) { frames.append(Array(frame)) }
                }
                index += 4
                start = index
            } else {
                index += 1
            }
        }
    }
    return frames
}

let frames = eventFrames(in: fixturesDirectory())
let mixBytes = frames.reduce(0) { $0 + $1.count }
let repetitions = max(1, (options.megabytes << 20) / mixBytes)
let stream: [UInt8] = {
    var stream: [UInt8] = []
    stream.reserveCapacity(repetitions * mixBytes)
    for _ in 0..<repetitions { for frame in frames { stream += frame } }
    return stream
}()
let expectedEvents = repetitions * frames.count

// MARK: Swift

struct Run {
    var seconds: Double
    var events: Int
}

/// One pass over the stream in socket-sized chunks. Each message is touched the way the
/// connection does it (its kind, its event name) so the work is not optimised away.
@inline(never)
func decodeOnce(_ stream: [UInt8], chunk: Int) -> (events: Int, checksum: Int) {
    var decoder = AMIFrameDecoder(expectsBanner: false)
    var events = 0
    var checksum = 0
    stream.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let end = min(offset + chunk, raw.count)
            decoder.append(UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
            offset = end
            do {
                while let frame = try decoder.next() {
                    guard case .message(let message) = frame else { continue }
                    if message.kind == .event { events += 1 }
                    if message.has("Event", "Hangup") { checksum &+= 1 }
                    checksum &+= message["Event"]?.utf8.count ?? 0
                }
            } catch {
                fail("the decoder refused the benchmark stream: \(error)")
            }
        }
    }
    return (events, checksum)
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

var swiftRuns: [Run] = []
var checksum = 0
let clock = ContinuousClock()
for _ in 0..<options.iterations {
    let start = clock.now
    let result = decodeOnce(stream, chunk: options.chunk)
    let elapsed = seconds(clock.now - start)
    checksum &+= result.checksum
    guard result.events == expectedEvents else {
        fail("decoded \(result.events) events, expected \(expectedEvents)")
    }
    swiftRuns.append(Run(seconds: elapsed, events: result.events))
}

// MARK: panoramisk, on the same bytes

struct PythonResult {
    var runs: [Run] = []
    var note: String?
}

func runPanoramisk() -> PythonResult {
    guard options.runPython, options.iterations > 0 else { return PythonResult(note: "skipped") }
    guard FileManager.default.isExecutableFile(atPath: options.python) else {
        return PythonResult(note: "\(options.python) not found; install python3 and python3-panoramisk")
    }
    let script = options.panoramiskScript ?? "Benchmarks/panoramisk_decoder.py"
    guard FileManager.default.fileExists(atPath: script) else {
        return PythonResult(note: "\(script) not found; pass --panoramisk-script PATH")
    }
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("ami-bench-\(getpid()).bin")
    defer { try? FileManager.default.removeItem(at: file) }
    do {
        try Data(stream).write(to: file)
    } catch {
        return PythonResult(note: "cannot write \(file.path): \(error)")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: options.python)
    // Python is far slower: fewer passes keep the run short; best and median still mean the same.
    let iterations = min(options.iterations, 3)
    process.arguments = [script, file.path, String(options.chunk), String(iterations)]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    do {
        try process.run()
    } catch {
        return PythonResult(note: "cannot run \(options.python): \(error)")
    }
    // Read before waiting, so a full pipe cannot block the child.
    let out = output.fileHandleForReading.readDataToEndOfFile()
    let err = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: out, as: UTF8.self)
    guard process.terminationStatus == 0 else {
        let reason = String(decoding: err, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)"
        return PythonResult(note: "panoramisk run failed: \(reason)")
    }
    // One line per pass: "run <seconds> <messages>".
    var result = PythonResult()
    for line in text.split(separator: "\n") {
        let cells = line.split(separator: " ")
        if cells.count == 3, cells[0] == "run", let s = Double(cells[1]), let n = Int(cells[2]) {
            result.runs.append(Run(seconds: s, events: n))
        } else if cells.first == "version" {
            result.note = cells.dropFirst().joined(separator: " ")
        }
    }
    if result.runs.isEmpty { result.note = "panoramisk printed no result" }
    return result
}

let python = runPanoramisk()

// MARK: Report

func best(_ runs: [Run]) -> Run? { runs.min { $0.seconds < $1.seconds } }
func median(_ runs: [Run]) -> Run? {
    let sorted = runs.sorted { $0.seconds < $1.seconds }
    return sorted.isEmpty ? nil : sorted[sorted.count / 2]
}
func rate(_ run: Run) -> Double { Double(run.events) / run.seconds }
func megabytesPerSecond(_ run: Run, bytes: Int) -> Double { Double(bytes) / 1_048_576 / run.seconds }
func format(_ value: Double, _ decimals: Int = 0) -> String {
    let scale = pow(10.0, Double(decimals))
    let rounded = (value * scale).rounded() / scale
    var text = decimals == 0 ? String(Int(rounded)) : String(rounded)
    // Thousands separators for the big numbers.
    if decimals == 0, text.count > 3 {
        var grouped = ""
        for (i, c) in text.reversed().enumerated() {
            if i > 0, i % 3 == 0 { grouped.append(",") }
            grouped.append(c)
        }
        text = String(grouped.reversed())
    }
    return text
}
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

print("AMI decoder benchmark: \(format(Double(frames.count))) distinct traffic events (\(format(Double(mixBytes))) bytes, \(format(Double(mixBytes) / Double(frames.count), 1)) bytes/event),")
print("repeated \(repetitions)x = \(format(Double(stream.count))) bytes, \(format(Double(expectedEvents))) events; \(options.chunk)-byte chunks; one thread")
if options.iterations == 0 {
    print("no iterations run")
    exit(0)
}
let header = "\(pad("parser", 22)) \(pad("runs", 5)) \(pad("best events/s", 14)) \(pad("median events/s", 16)) \(pad("best MiB/s", 10)) \(pad("median MiB/s", 12))"
print(header)
func row(_ name: String, _ runs: [Run]) {
    guard let b = best(runs), let m = median(runs) else { return }
    print(
        "\(pad(name, 22)) \(pad(String(runs.count), 5)) \(pad(format(rate(b)), 14)) \(pad(format(rate(m)), 16)) "
            + "\(pad(format(megabytesPerSecond(b, bytes: stream.count), 1), 10)) \(pad(format(megabytesPerSecond(m, bytes: stream.count), 1), 12))")
}
row("Swift AMIFrameDecoder", swiftRuns)
if !python.runs.isEmpty {
    row("panoramisk (python3)", python.runs)
    if let s = median(swiftRuns), let p = median(python.runs), p.events == expectedEvents {
        print("ratio Swift/panoramisk (median events/s): \(format(rate(s) / rate(p), 1))x")
    } else if let p = median(python.runs) {
        print("panoramisk counted \(p.events) messages, expected \(expectedEvents): no ratio")
    }
}
if let note = python.note { print("panoramisk: \(note)") }
if let b = best(swiftRuns) {
    let target = 1_000_000.0
    print("target >= 1,000,000 events/s on one core: \(rate(b) >= target ? "met" : "NOT met") (best \(format(rate(b))))")
}
// Keeps the checksum alive, and shows the work was done.
print("checksum \(checksum)")
