/// Makes a crypt(3) hash; the real one calls libcrypt, tests pass their own.
public protocol PasswordHasher: Sendable {
    func hash(_ password: String, method: HashMethod) throws -> String
}

/// `ccagentctl hash-password`: a password in, its hash out, for the config's `password =` key.
struct HashPasswordCommand {
    var console: Console
    var hasher: any PasswordHasher

    func run(method: HashMethod, fromStandardInput: Bool) throws(CommandFailure) -> Int32 {
        let password = try read(fromStandardInput: fromStandardInput)
        guard !password.isEmpty else { throw .failed(.failed("the password is empty")) }
        let hash: String
        do {
            hash = try hasher.hash(password, method: method)
        } catch {
            throw .failed(.failed("cannot hash the password: \(error)"))
        }
        console.output.write(hash + "\n")
        return ExitStatus.success
    }

    private func read(fromStandardInput: Bool) throws(CommandFailure) -> String {
        let input = console.input
        if fromStandardInput {
            guard let line = input.readLine() else { throw .failed(.failed("no password on standard input")) }
            return line
        }
        guard input.isTerminal else {
            throw .usage(UsageError("standard input is not a terminal: pass --stdin to read the password from it", command: "hash-password"))
        }
        guard let first = input.readSecret(prompt: "Password: "), let second = input.readSecret(prompt: "Again: ") else {
            throw .failed(.failed("no password was entered"))
        }
        guard first == second else { throw .failed(.failed("the passwords do not match")) }
        return first
    }
}
