import AgentCore
import Foundation
import Testing

@testable import Config

/// The smallest valid configuration: an AMI section. Tests append their sections to it.
let baseConfig = """
    [pbx]
    type = ami
    username = ccagentd
    secret = change-me

    """

/// Loads `base + text` from memory as `ccagentd.conf`.
func load(_ text: String, base: String = baseConfig) -> Result<LoadedConfiguration, ConfigErrorList> {
    ConfigLoader.load(text: base + text, file: "ccagentd.conf")
}

/// The errors of `base + text`, empty when it loads.
func errors(_ text: String, base: String = baseConfig) -> [ConfigError] {
    switch load(text, base: base) {
    case .success: []
    case .failure(let list): list.errors
    }
}

/// The configuration of `base + text`, recording the errors as an issue when it does not load.
func loaded(_ text: String, base: String = baseConfig, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> LoadedConfiguration? {
    switch load(text, base: base) {
    case .success(let configuration): return configuration
    case .failure(let list):
        Issue.record("expected a clean load, got:\n\(list)", sourceLocation: sourceLocation)
        return nil
    }
}

/// The 1-based line of the first line of `base + text` containing `needle`.
func line(of needle: String, in text: String, base: String = baseConfig) -> Int {
    let lines = (base + text).split(separator: "\n", omittingEmptySubsequences: false)
    return (lines.firstIndex { $0.contains(needle) } ?? -1) + 1
}

enum Fixture {
    /// The copied `Fixtures` directory of the test bundle.
    static var directory: URL? { Bundle.module.resourceURL?.appendingPathComponent("Fixtures") }
}
