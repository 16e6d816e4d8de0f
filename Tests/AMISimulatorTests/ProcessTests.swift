#if canImport(Glibc)
import Glibc
#endif
import Testing
import TestSupport

extension SimulatorTests {
@Suite struct ProcessTests {
    @Test func amisimStartsPrintsItsPortAndStopsOnSIGTERM() throws {
        let amisim = try ChildProcess(executable: try BuiltExecutable.path("amisim"), arguments: ["--port", "0"])
        defer { amisim.kill() }
        #expect(eventually { !amisim.stdout.lines.isEmpty || amisim.stdout.ended })
        let line = amisim.stdout.lines.first ?? ""
        #expect(line.hasPrefix("amisim listening on 127.0.0.1:"))
        let port = try #require(Int(line.split(separator: ":").last ?? ""), "\(amisim.tail())")
        let client = try AMITestClient(port: port)
        #expect(client.login("ccagentd", "change-me")?["Message"] == "Authentication accepted")
        amisim.signal(SIGTERM)
        let exit = try #require(amisim.waitForExit(timeout: .seconds(10)), "amisim did not stop within 10 s of SIGTERM")
        #expect(exit == .exited(0))
    }

    @Test func amisimRejectsUnknownArguments() throws {
        #expect(try ChildProcess.run(try BuiltExecutable.path("amisim"), ["--bogus"]).termination == .exited(64))
    }
}
}
