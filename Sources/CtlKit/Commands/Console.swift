/// What a command writes to and reads from: the process's standard streams, or buffers in tests.
public struct Console: Sendable {
    public var output: any TextSink
    public var error: any TextSink
    public var input: any PasswordInput

    public init(output: any TextSink, error: any TextSink, input: any PasswordInput) {
        self.output = output
        self.error = error
        self.input = input
    }

    public static var standard: Console {
        Console(output: FileDescriptorSink.standardOutput, error: FileDescriptorSink.standardError, input: TerminalInput())
    }
}

/// Where `hash-password` reads the password.
public protocol PasswordInput: Sendable {
    /// Standard input is a terminal: ask twice, without echo.
    var isTerminal: Bool { get }
    /// One line without its line end; nil at end of input.
    func readLine() -> String?
    /// `prompt` on the terminal, then one line read with echo off; nil at end of input.
    func readSecret(prompt: String) -> String?
}
