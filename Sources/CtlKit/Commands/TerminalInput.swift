#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Standard input, and the terminal's echo turned off while a password is typed.
public struct TerminalInput: PasswordInput {
    /// The terminal settings to put back, while echo is off: a signal handler restores them too.
    private static let savedSettings = Mutex<termios?>(nil)
    static let maximumLineLength = 4096

    public init() {}

    public var isTerminal: Bool { isatty(0) == 1 }

    public func readLine() -> String? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count < Self.maximumLineLength {
            let count = read(0, &byte, 1)
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return line.isEmpty ? nil : Self.text(line) }
            if byte == 0x0A { return Self.text(line) }
            line.append(byte)
        }
        return Self.text(line)
    }

    public func readSecret(prompt: String) -> String? {
        FileDescriptorSink.standardError.write(prompt)
        var settings = termios()
        let isTerminal = tcgetattr(0, &settings) == 0
        if isTerminal {
            Self.savedSettings.withLock { $0 = settings }
            var silent = settings
            silent.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(0, TCSAFLUSH, &silent)
        }
        defer {
            if isTerminal {
                Self.restoreEcho()
                FileDescriptorSink.standardError.write("\n")  // the Enter that was not echoed
            }
        }
        return readLine()
    }

    /// Puts the terminal back as it was; for a SIGINT that arrives while echo is off.
    public static func restoreEcho() {
        savedSettings.withLock { saved in
            guard var settings = saved else { return }
            _ = tcsetattr(0, TCSAFLUSH, &settings)
            saved = nil
        }
    }

    /// Without a trailing CR (a line typed on Windows or sent by a script with CR LF).
    private static func text(_ line: [UInt8]) -> String {
        String(decoding: line.last == 0x0D ? line.dropLast() : line[...], as: UTF8.self)
    }
}
