import Foundation

/// The knobs, from the environment, with the defaults of issue 5's figures.
struct BenchmarkSettings: Sendable {
    var agents = 200
    var clients = 50
    /// The measured window of the status phase, after `warmupSeconds` that are not measured.
    var seconds = 20
    var warmupSeconds = 3
    /// The read phase (`GET /v1/agents`) and the password-login phase (`POST /v1/sessions`).
    var listSeconds = 5
    var sessionSeconds = 5
    /// Failed logins allowed per client address: the benchmark's clients all come from
    /// 127.0.0.1 and a login in progress counts as a failure until its password is checked,
    /// so with the default (20) more than 20 logins at once would be answered 429.
    var loginAttemptsPerAddress = 1_000_000
    /// Where the store goes: a fresh directory under it, removed at the end.
    var temporaryRoot = FileManager.default.temporaryDirectory.path

    static func fromEnvironment() -> BenchmarkSettings {
        let environment = ProcessInfo.processInfo.environment
        func number(_ key: String, _ fallback: Int, minimum: Int) -> Int {
            guard let text = environment[key], let value = Int(text), value >= minimum else { return fallback }
            return value
        }
        var settings = BenchmarkSettings()
        settings.agents = number("AGENTS", settings.agents, minimum: 1)
        settings.clients = number("CLIENTS", settings.clients, minimum: 1)
        settings.seconds = number("SECONDS", settings.seconds, minimum: 1)
        settings.warmupSeconds = number("WARMUP_SECONDS", settings.warmupSeconds, minimum: 0)
        settings.listSeconds = number("LIST_SECONDS", settings.listSeconds, minimum: 0)
        settings.sessionSeconds = number("SESSION_SECONDS", settings.sessionSeconds, minimum: 0)
        settings.loginAttemptsPerAddress = number("LOGIN_ATTEMPTS_PER_ADDRESS", settings.loginAttemptsPerAddress, minimum: 1)
        if let root = environment["BENCH_TMPDIR"], !root.isEmpty { settings.temporaryRoot = root }
        return settings
    }
}
