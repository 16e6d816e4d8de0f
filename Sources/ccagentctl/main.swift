import CtlKit
import FoundationEssentials
import Glibc
import SystemSupport

// ccagentctl: the admin's command line over ccagentd's control API.

let arguments = Array(CommandLine.arguments.dropFirst())
let invocation: Invocation
switch CommandLineParser.parse(arguments) {
case .success(let parsed): invocation = parsed
case .failure:
    exit(Ctl(environment: ProcessInfo.processInfo.environment, console: .standard).run(arguments))
}

var cancellation: Cancellation?
switch invocation {
case .run(.watch, _, _):
    // Before any thread exists, so the signal thread is the only one that takes them: watch
    // then stops cleanly, between two events, and exits 0.
    Signals.block([SIGINT, SIGTERM])
    let stop = Cancellation()
    Signals.handle([SIGINT, SIGTERM]) { @Sendable _ in stop?.cancel() }
    cancellation = stop
case .run(.hashPassword(_, fromStandardInput: false), _, _):
    // A Ctrl-C at the prompt must not leave the terminal without echo.
    Signals.block([SIGINT, SIGTERM])
    Signals.handle([SIGINT, SIGTERM]) { @Sendable signal in
        TerminalInput.restoreEcho()
        FileDescriptorSink.standardError.write("\n")
        exit(128 + signal)
    }
default:
    break
}
let ctl = Ctl(environment: ProcessInfo.processInfo.environment, console: .standard, cancellation: cancellation)
exit(ctl.run(invocation))
