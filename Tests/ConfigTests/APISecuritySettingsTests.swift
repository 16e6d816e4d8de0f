import Foundation
import Testing
import TestSupport

@testable import Config

/// `[api]`'s login and connection keys, and the `admin_tokens` file.
@Suite struct APISecuritySettingsTests {
    static let deployToken = String(repeating: "0123456789abcdef", count: 4)
    static let backupToken = "Bb-._~+/" + String(repeating: "x", count: 24) + "=="

    /// Loads `etc/ccagentd.conf` (the base plus `api`) with `files` beside it, from memory.
    func load(api: String, files: [String: String] = [:], modes: [String: UInt32] = [:]) -> Result<LoadedConfiguration, ConfigErrorList> {
        let reader = InMemoryFileReader(files.merging(["etc/ccagentd.conf": baseConfig + "[api]\ntype = api\n" + api]) { $1 }, modes: modes)
        return ConfigLoader(fileReader: reader).load(path: "etc/ccagentd.conf")
    }

    func settings(api: String, files: [String: String] = [:], modes: [String: UInt32] = [:]) -> APISettings? {
        switch load(api: api, files: files, modes: modes) {
        case .success(let configuration): return configuration.api
        case .failure(let list):
            Issue.record("expected a clean load, got:\n\(list)")
            return nil
        }
    }

    func errors(api: String, files: [String: String] = [:], modes: [String: UInt32] = [:]) -> [String] {
        guard case .failure(let list) = load(api: api, files: files, modes: modes) else { return [] }
        return list.errors.map(\.description)
    }

    @Test func defaultsAsInTheAPIContract() throws {
        let api = try #require(loaded("")?.api)
        #expect(api.adminTokensFile == nil)
        #expect(api.adminTokens.isEmpty)
        #expect(api.sessionTTL == .seconds(28800))
        #expect(api.loginAttemptsPerLogin == 5)
        #expect(api.loginAttemptsPerAddress == 20)
        #expect(api.loginWindow == .seconds(300))
        #expect(api.maxConnections == 256)
        #expect(api.headerTimeout == .seconds(10))
        #expect(api.requestTimeout == .seconds(10))
        #expect(api == APISettings())
    }

    @Test func everyKeyIsRead() throws {
        let api = try #require(settings(api: """
            admin_tokens = api-tokens
            session_ttl = 3600
            login_attempts_per_login = 3
            login_attempts_per_address = 50
            login_window = 600
            max_connections = 1000
            header_timeout = 20
            request_timeout = 30
            """, files: ["etc/api-tokens": "deploy \(Self.deployToken)\n"]))
        #expect(api.adminTokensFile == "etc/api-tokens")
        #expect(api.adminTokens == [AdminTokenEntry(name: "deploy", token: Self.deployToken)])
        #expect(api.sessionTTL == .seconds(3600))
        #expect(api.loginAttemptsPerLogin == 3)
        #expect(api.loginAttemptsPerAddress == 50)
        #expect(api.loginWindow == .seconds(600))
        #expect(api.maxConnections == 1000)
        #expect(api.headerTimeout == .seconds(20))
        #expect(api.requestTimeout == .seconds(30))
    }

    @Test(arguments: [
        ("session_ttl = 59", #"ccagentd.conf:7: [api] session_ttl: "59" is not a whole number from 60 to 2592000 seconds"#),
        ("session_ttl = 8h", #"ccagentd.conf:7: [api] session_ttl: "8h" is not a whole number from 60 to 2592000 seconds"#),
        ("login_attempts_per_login = 0", #"ccagentd.conf:7: [api] login_attempts_per_login: "0" is not a whole number from 1 to 1000"#),
        ("login_attempts_per_address = -1", #"ccagentd.conf:7: [api] login_attempts_per_address: "-1" is not a whole number from 1 to 100000"#),
        ("login_window = 86401", #"ccagentd.conf:7: [api] login_window: "86401" is not a whole number from 1 to 86400 seconds"#),
        ("max_connections = 0", #"ccagentd.conf:7: [api] max_connections: "0" is not a whole number from 1 to 65536"#),
        ("header_timeout = 0", #"ccagentd.conf:7: [api] header_timeout: "0" is not a whole number from 1 to 3600 seconds"#),
        ("request_timeout = 1.5", #"ccagentd.conf:7: [api] request_timeout: "1.5" is not a whole number from 1 to 3600 seconds"#),
        ("admin_tokens =", "ccagentd.conf:7: [api] admin_tokens: no value after =; give one or remove the line"),
        ("session_tll = 60", #"ccagentd.conf:7: [api] session_tll: unknown key "session_tll" for type = api; did you mean "session_ttl"?"#),
    ])
    func badValuesNameTheLineAndKey(line: String, expected: String) {
        #expect(errors(api: line + "\n").map { $0.replacingOccurrences(of: "etc/", with: "") } == [expected])
    }

    @Test func theTokenFileIsRelativeToTheFileThatNamesIt() throws {
        let relative = try #require(settings(api: "admin_tokens = ../secrets/tokens\n", files: ["secrets/tokens": "a \(Self.deployToken)"]))
        #expect(relative.adminTokensFile == "secrets/tokens")
        #expect(relative.adminTokens.map(\.name) == ["a"])
        let absolute = try #require(settings(api: "admin_tokens = /etc/ccagentd/api-tokens\n", files: ["/etc/ccagentd/api-tokens": ""]))
        #expect(absolute.adminTokensFile == "/etc/ccagentd/api-tokens")
        #expect(absolute.adminTokens.isEmpty)
    }

    @Test func commentsBlankLinesTabsAndCRLFAreFine() throws {
        let file = "# tokens for scripts\n\n   # indented comment\r\ndeploy\t\(Self.deployToken)\r\n  backup   \(Self.backupToken)  \n\n"
        let api = try #require(settings(api: "admin_tokens = t\n", files: ["etc/t": file]))
        #expect(api.adminTokens == [AdminTokenEntry(name: "deploy", token: Self.deployToken), AdminTokenEntry(name: "backup", token: Self.backupToken)])
    }

    @Test func aOneCharacterTokenIsOneCharacterLong() {
        #expect(errors(api: "admin_tokens = t\n", files: ["etc/t": "tiny x\n"]) == [
            "etc/t:1: the token of \"tiny\" is 1 character long; it must have at least 32; make one with `openssl rand -hex 32`"
        ])
    }

    @Test func badLinesAreErrorsWithTheTokenFileAndLineAndNeverTheToken() {
        let secret = "s3cret" + String(repeating: "Z", count: 40)
        let file = [
            "# line 1",
            "deploy \(Self.deployToken)",
            "short abc123",  // 3
            "lonely",  // 4
            "three \(secret) extra",  // 5
            "\(secret) deploy",  // 6: written the wrong way round
            "bad name \(secret)",  // 7
            "deploy \(secret)",  // 8: a second deploy
            "again \(Self.deployToken)",  // 9: the same token as deploy
            "spaced \(String(repeating: "a", count: 31))!",  // 10
            "ok \(secret)",  // 11
            "équipe \(String(repeating: "b", count: 32))",  // 12
            "pad \(String(repeating: "=", count: 40))",  // 13
        ].joined(separator: "\n")
        let found = errors(api: "admin_tokens = t\n", files: ["etc/t": file])
        #expect(found == [
            "etc/t:3: the token of \"short\" is 6 characters long; it must have at least 32; make one with `openssl rand -hex 32`",
            "etc/t:4: expected NAME TOKEN: a name, a space, the token; # starts a comment line",
            "etc/t:5: expected NAME TOKEN: a name, a space, the token; # starts a comment line",
            "etc/t:6: the name must be letters, digits, - _ . or @, at most 31 of them, then the token",
            "etc/t:7: expected NAME TOKEN: a name, a space, the token; # starts a comment line",
            "etc/t:8: a second token named \"deploy\"; the first is at etc/t:2",
            "etc/t:9: \"again\" has the same token as \"deploy\" at etc/t:2; give each its own",
            "etc/t:10: the token of \"spaced\" has a character a bearer token cannot hold; use letters, digits and - . _ ~ + /; make one with `openssl rand -hex 32`",
            "etc/t:12: the name must be letters, digits, - _ . or @, at most 31 of them, then the token",
            "etc/t:13: the token of \"pad\" has a character a bearer token cannot hold; use letters, digits and - . _ ~ + /; make one with `openssl rand -hex 32`",
        ])
        for error in found {
            #expect(!error.contains(secret) && !error.contains(Self.deployToken), "\(error)")
        }
    }

    @Test func aMissingTokenFileIsAnErrorOnTheKey() {
        #expect(errors(api: "admin_tokens = nowhere\n") == [#"etc/ccagentd.conf:7: [api] admin_tokens: cannot read "etc/nowhere": no such file"#])
    }

    @Test(arguments: [0o644, 0o604, 0o777, 0o4] as [UInt32])
    func aTokenFileEveryUserMayReadIsRefused(mode: UInt32) {
        let octal = String(mode, radix: 8)
        #expect(errors(api: "admin_tokens = t\n", files: ["etc/t": "deploy \(Self.deployToken)"], modes: ["etc/t": mode]) == [
            "etc/ccagentd.conf:7: [api] admin_tokens: \"etc/t\" holds secrets and every user may read it (mode "
                + String(repeating: "0", count: 4 - octal.count) + octal
                + "); refusing it, as ssh refuses a readable private key: chmod 640 it (or 600) and chown it to root:ccagentd"
        ])
    }

    @Test(arguments: [0o600, 0o640, 0o400, 0o660] as [UInt32])
    func aTokenFileOnlyOwnerAndGroupMayReadIsFine(mode: UInt32) throws {
        let api = try #require(settings(api: "admin_tokens = t\n", files: ["etc/t": "deploy \(Self.deployToken)"], modes: ["etc/t": mode]))
        #expect(api.adminTokens.count == 1)
    }

    @Test func onDiskTheFileModeIsChecked() throws {
        let directory = try TemporaryDirectory(prefix: "ccagentd-tokens")
        let config = directory.file("ccagentd.conf")
        let tokens = directory.file("api-tokens")
        try (baseConfig + "[api]\ntype = api\nadmin_tokens = api-tokens\n").write(toFile: config, atomically: true, encoding: .utf8)
        try "deploy \(Self.deployToken)\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: tokens)
        guard case .failure(let list) = ConfigLoader().load(path: config) else {
            Issue.record("a world-readable token file was accepted")
            return
        }
        #expect(list.errors.map(\.description) == [
            "\(config):7: [api] admin_tokens: \"\(tokens)\" holds secrets and every user may read it (mode 0644); "
                + "refusing it, as ssh refuses a readable private key: chmod 640 it (or 600) and chown it to root:ccagentd"
        ])
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: tokens)
        #expect(try ConfigLoader().load(path: config).get().api.adminTokens.map(\.name) == ["deploy"])
        // Through a symlink, the file's own mode counts, not the link's 0777.
        let link = directory.file("link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: tokens)
        #expect(DiskFileReader().permissions(of: link) == 0o640)
    }

    @Test func tokensAreNeverPrinted() throws {
        let reader = InMemoryFileReader([
            "etc/ccagentd.conf": baseConfig + "[api]\ntype = api\nsocket = /run/cc.sock\nadmin_tokens = t\n",
            "etc/t": "deploy \(Self.deployToken)\nbackup \(Self.backupToken)\n",
        ])
        let configuration = try ConfigLoader(fileReader: reader).load(path: "etc/ccagentd.conf").get()
        let summary = configuration.summaryLines.joined(separator: "\n")
        #expect(summary.contains("api:        127.0.0.1:8088, socket /run/cc.sock; 2 admin tokens: deploy, backup"))
        for text in [summary, "\(configuration)", String(reflecting: configuration), "\(configuration.api)", "\(configuration.api.adminTokens)"] {
            #expect(!text.contains(Self.deployToken) && !text.contains(Self.backupToken))
        }
        #expect(loaded("")?.summaryLines.last == "api:        127.0.0.1:8088; 0 admin tokens")
    }

    @Test func theExampleTokenFileHasNoTokenAndNoErrors() throws {
        let path = Repository.root.appendingPathComponent("Config/api-tokens.example").path
        let (entries, problems) = AdminTokenFile.parse(Array(try Data(contentsOf: URL(fileURLWithPath: path))), file: path)
        #expect(entries.isEmpty)
        #expect(problems.isEmpty)
        // Its commented placeholder, uncommented as it is, is refused.
        let placeholder = "deploy    <64 hex digits from openssl rand -hex 32>"
        #expect(AdminTokenFile.parse(Array(placeholder.utf8), file: "t").errors.count == 1)
    }

    @Test func theSampleConfigDocumentsTheKeysCommentedOut() throws {
        let text = try String(contentsOfFile: Repository.root.appendingPathComponent("Config/ccagentd.conf").path, encoding: .utf8)
        for key in SectionType.api.keys where key != "type" && key != "listen" && key != "socket" {
            #expect(text.contains("\n;\(key) = "), "\(key)")
        }
    }
}
