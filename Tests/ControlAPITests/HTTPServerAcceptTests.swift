import ControlPort
import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire
import Foundation
import SystemSupport
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Out of descriptors, accept fails while the listener stays readable: the server must neither
/// spin nor log every attempt, and must accept again once descriptors are free.
///
/// This lowers the process's descriptor limit for half a second, which any test running beside
/// it would feel: run with `--no-parallel`, as CI does.
@Suite(.serialized, .timeLimit(.minutes(1))) struct HTTPServerAcceptTests {
    @Test func runningOutOfDescriptorsPausesAcceptingAndLogsOncePerEpisode() throws {
        let sink = MemoryLogSink()
        let server = try HTTPServer(logger: Logger(sink: sink)) { _, _, responder in
            responder.respond(.json(.ok, .object([("ok", .bool(true))])))
        }
        defer { server.shutdown() }
        let port = try server.listen(host: "127.0.0.1", port: 0)
        let address = try #require(try SocketAddress.resolve(host: "127.0.0.1", port: port).first)
        let client: LoopbackConnection
        do {
            // One descriptor is left for the client's socket; the kernel completes its connect and
            // the server's accept gets EMFILE.
            let exhaustion = try DescriptorExhaustion(sparing: 1)
            defer { exhaustion.end() }
            client = try LoopbackConnection(address: address)
            Thread.sleep(forTimeInterval: 0.5)  // several retries
        }
        let failed = sink.records(named: "api.accept_failed")
        #expect(failed.count == 1)
        #expect(failed.first?["error"]?.contains("errno \(EMFILE)") == true)
        client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(client.receive(until: "}").hasPrefix("HTTP/1.1 200 OK\r\n"))
        let resumed = sink.records(named: "api.accept_resumed")
        #expect(resumed.count == 1)
        #expect((resumed.first?["failed_attempts"]).flatMap { Int($0) }.map { $0 >= 2 } == true)
    }
}

/// Lowers the process's descriptor limit to just above the highest descriptor open and takes
/// every free one below it but `sparing`, so the next one anyone asks for after those fails
/// with EMFILE.
private final class DescriptorExhaustion {
    private var saved = rlimit()
    private var taken: [Int32] = []

    init(sparing: Int) throws {
        let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
        guard getrlimit(resource, &saved) == 0 else { throw POSIXError(.EPERM) }
        let open = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { Int32($0) }
        var lowered = saved
        lowered.rlim_cur = rlim_t((open.max() ?? 2) + 1)
        guard setrlimit(resource, &lowered) == 0 else { throw POSIXError(.EPERM) }
        while case let fd = Glibc.open("/dev/null", O_RDONLY), fd >= 0 { taken.append(fd) }
        for fd in taken.suffix(sparing) { close(fd) }
        taken.removeLast(min(sparing, taken.count))
    }

    func end() {
        for fd in taken { close(fd) }
        _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &saved)
    }
}
