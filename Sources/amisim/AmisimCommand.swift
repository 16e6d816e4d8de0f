#if canImport(Glibc)
import Glibc
#endif
import AMISimulator
import Dispatch
import Foundation
import SystemSupport

enum AmisimCommand {
    static func run() -> Never {
        Signals.block([SIGINT, SIGTERM])
        var arguments: AmisimArguments
        do {
            arguments = try AmisimArguments.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            fail("Error: \(error.message)\n\(AmisimArguments.usage)\n", code: 64)
        }
        if arguments.help {
            FileHandle.standardOutput.write(Data((AmisimArguments.helpText + "\n").utf8))
            exit(0)
        }
        guard let level = LogLevel(name: arguments.logLevel) else {
            fail("Error: unknown log level '\(arguments.logLevel)'\n\(AmisimArguments.usage)\n", code: 64)
        }
        var configuration = SimulatorConfiguration.standard
        if arguments.demo {
            // Calls short enough to watch; a free port unless one was asked for.
            configuration.timings.ringTime = .milliseconds(400)
            configuration.timings.talkTime = .milliseconds(1200)
            configuration.timings.pstnRingTime = .milliseconds(400)
            configuration.timings.pstnTalkTime = .milliseconds(1200)
            if !CommandLine.arguments.contains("--port") { arguments.port = 0 }
        }
        if let path = arguments.configPath {
            do {
                configuration = try SimulatorConfiguration.load(path: path)
            } catch {
                fail("Error: \(error)\n", code: 78)
            }
        }
        let logger = Logger(level: level, sink: StandardErrorLogSink())
        let simulator: AMISimulator
        let port: Int
        do {
            simulator = try AMISimulator(configuration: configuration, logger: logger)
            port = try simulator.start(host: arguments.host, port: arguments.port)
        } catch {
            fail("Error: cannot listen on \(arguments.host):\(arguments.port): \(error)\n", code: 69)
        }

        Signals.handle([SIGINT, SIGTERM]) { signalNumber in
            logger.notice("amisim.stopping", [("signal", .int(Int(signalNumber)))])
            simulator.stop()
            exit(0)
        }
        FileHandle.standardOutput.write(Data("amisim listening on \(arguments.host):\(port)\n".utf8))
        if arguments.demo {
            Task { @Sendable in
                let code = await AmisimDemo.run(simulator: simulator, port: port)
                simulator.stop()
                exit(code)
            }
            parkMainThread()
        }
        parkMainThread()
    }

    /// Not `dispatchMain()`: on Linux it waits in `sigsuspend` with every signal unblocked, so a
    /// SIGTERM would kill the process there instead of reaching the signal thread.
    private static func parkMainThread() -> Never {
        let forever = DispatchSemaphore(value: 0)
        while true { forever.wait() }
    }

    private static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data(message.utf8))
        exit(code)
    }
}
