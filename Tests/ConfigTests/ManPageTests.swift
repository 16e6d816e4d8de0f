import AgentCore
import Foundation
import Testing
import TestSupport

@testable import Config

/// ccagentd.conf(5) against what the loader knows: every section type, every key of each, the
/// list keys, the defaults and the built-in statuses. A key added to `SectionType` without its
/// entry in the page fails here, and so does an entry for a key the loader no longer reads.
@Suite("ccagentd.conf(5)")
struct ConfigManPageTests {
    static let path = Repository.root.appendingPathComponent("Sources/Config/ccagentd.conf.5")

    let page: ManPage

    init() throws {
        page = try ManPage(contentsOf: Self.path)
    }

    /// The `.TP` entries under `.SS "type = NAME"` of SECTIONS.
    func keyEntries(of type: SectionType) -> [ManPage.Entry] {
        page.entries(in: "SECTIONS").filter { $0.subsection == "type = \(type.rawValue)" && $0.parent == nil }
    }

    /// The entries of SECTIONS before its first subsection: the keys every section has.
    var commonEntries: [ManPage.Entry] { page.entries(in: "SECTIONS").filter { $0.subsection == nil } }

    @Test func everySectionTypeHasItsSubsection() {
        let documented = Set(page.entries(in: "SECTIONS").compactMap(\.subsection))
        let known = Set(SectionType.allCases.map { "type = \($0.rawValue)" })
        #expect(documented == known)
    }

    @Test func theTypeEntryNamesEveryType() throws {
        let entry = try #require(commonEntries.first { $0.name == "type" })
        let values = entry.tag.split(separator: "=", maxSplits: 1).last?.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(values == SectionType.allCases.map(\.rawValue))
    }

    /// The keys of `type` without an entry, and the entries for keys it does not have.
    static func problems(in page: ManPage, type: SectionType) -> (missing: [String], unknown: [String], twice: [String]) {
        let sections = page.entries(in: "SECTIONS")
        let documented = sections.filter { $0.subsection == "type = \(type.rawValue)" && $0.parent == nil }.map(\.name)
        let common = sections.filter { $0.subsection == nil }.map(\.name)
        let missing = type.keys.filter { !documented.contains($0) && !common.contains($0) }
        let unknown = documented.filter { !type.keys.contains($0) }
        let twice = documented.enumerated().filter { documented.firstIndex(of: $0.element) != $0.offset }.map(\.element)
        return (missing, unknown, twice)
    }

    @Test(arguments: SectionType.allCases)
    func everyKeyOfTheTypeHasItsEntry(_ type: SectionType) {
        let (missing, unknown, twice) = Self.problems(in: page, type: type)
        #expect(missing.isEmpty, "keys of type = \(type.rawValue) without an entry in ccagentd.conf.5: \(missing)")
        #expect(unknown.isEmpty, "entries under type = \(type.rawValue) for keys the loader does not know: \(unknown)")
        #expect(twice.isEmpty, "keys of type = \(type.rawValue) documented twice: \(twice)")
    }

    @Test func aKeyWhoseEntryIsGoneIsReportedMissing() throws {
        let text = try String(contentsOf: Self.path, encoding: .utf8)
        let trimmed = text.replacingOccurrences(of: ".TP\n\\fBping_interval\\fR", with: ".PP\n\\fBping_interval\\fR")
        #expect(trimmed != text)
        #expect(Self.problems(in: ManPage(text: trimmed), type: .ami).missing == ["ping_interval"])
        #expect(Self.problems(in: page, type: .ami).missing.isEmpty)
    }

    @Test func theListKeysAreTheOnesThePageCallsLists() {
        for type in SectionType.allCases {
            for entry in keyEntries(of: type) {
                let saysList = entry.body.lowercased().contains("a list key")
                #expect(saysList == SectionType.listKeys.contains(entry.name), "\(entry.name): the page and SectionType.listKeys disagree")
            }
        }
    }

    /// What the loader fills in when a key is left out, by the configuration it produces.
    @Test func theDefaultsAreTheLoaders() throws {
        let configuration = try #require(loaded("""
            [s]
            type = status
            [e]
            type = extension
            interface = PJSIP/e
            [u]
            type = user
            extension = e

            """))
        let status = try #require(configuration.core.statuses[StatusID("s")])
        let incoming = try #require(configuration.core.statuses[.incomingCall])
        let phone = try #require(configuration.core.extensions[ExtensionID("e")])
        let user = try #require(configuration.core.users[AgentID("u")])
        func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }
        func seconds(_ duration: Duration) -> String { String(duration.components.seconds) }
        let (general, ami, api, remote) = (configuration.general, configuration.ami, configuration.api, configuration.core.remote)
        let expected: [(SectionType, String, String)] = [
            (.general, "database", general.database), (.general, "log_format", general.logFormat.rawValue),
            (.general, "log_level", general.logLevel),
            (.ami, "host", ami.host), (.ami, "port", String(ami.port)), (.ami, "ping_interval", seconds(ami.pingInterval)),
            (.ami, "auth", ami.authentication.rawValue),
            (.api, "listen", api.listen.description), (.api, "session_ttl", seconds(api.sessionTTL)),
            (.api, "login_attempts_per_login", String(api.loginAttemptsPerLogin)),
            (.api, "login_attempts_per_address", String(api.loginAttemptsPerAddress)),
            (.api, "login_window", seconds(api.loginWindow)), (.api, "max_connections", String(api.maxConnections)),
            (.api, "header_timeout", seconds(api.headerTimeout)), (.api, "request_timeout", seconds(api.requestTimeout)),
            (.api, "trusted_proxies", api.trustedProxies.isEmpty ? "none" : "?"),
            (.remote, "interface", remote.interfaceTemplate), (.remote, "followme_family", remote.followmeFamily),
            (.status, "color", status.color), (.status, "activate_skills", yesNo(status.activatesSkills)),
            (.status, "default", yesNo(status.isDefault)), (.status, "over_limit", status.overLimit.rawValue),
            (.status, "on_hangup", incoming.onHangup == .last ? "last" : "?"),
            (.extension, "virtual", yesNo(phone.isVirtual)),
            (.user, "role", user.role.rawValue), (.user, "active", yesNo(user.active)), (.user, "remote", yesNo(user.remote)),
            (.user, "stay_in_queues_on_logout", yesNo(user.stayInQueuesOnLogout)),
        ]
        for (type, key, value) in expected {
            let entry = keyEntries(of: type).first { $0.name == key }
            #expect(entry.flatMap { Self.documentedDefault(in: $0.body) } == value, "[type = \(type.rawValue)] \(key)")
        }
    }

    /// The first word after `Default:`, without the full stop that ends the sentence.
    static func documentedDefault(in body: String) -> String? {
        guard let range = body.range(of: "Default: ") else { return nil }
        guard var word = body[range.upperBound...].split(separator: " ").first.map(String.init) else { return nil }
        while word.hasSuffix(".") || word.hasSuffix(",") || word.hasSuffix(";") { word.removeLast() }
        return word
    }

    @Test func theBuiltInStatusesAreTheCores() {
        let entries = page.entries(in: "BUILT-IN STATUSES")
        #expect(Set(entries.map(\.name)) == Set(StatusID.builtIns.map(\.rawValue)))
        for (id, status) in CoreConfiguration.builtInStatuses {
            guard let entry = entries.first(where: { $0.name == id.rawValue }) else { continue }
            #expect(entry.body.contains("Label \(status.label), colour \(status.color)"), "\(id.rawValue): label and colour")
            if !id.isCall {
                #expect(entry.body.contains(status.activatesSkills ? "; activates skills" : "does not activate skills"), "\(id.rawValue)")
            }
        }
    }
}

/// ccagentd(8) against the built `ccagentd`: its options and subcommands, its version, its exit
/// statuses, and the log events it names.
@Suite("ccagentd(8)")
struct DaemonManPageTests {
    static let path = Repository.root.appendingPathComponent("Sources/ccagentd/ccagentd.8")

    let page: ManPage
    let command = CheckConfigCommandTests()

    init() throws {
        page = try ManPage(contentsOf: Self.path)
    }

    /// The labels of one `--help` block (`OPTIONS:`, `SUBCOMMANDS:`): `--config <file>`, `-h, --help`.
    static func labels(_ help: String, block: String) -> [String] {
        var labels: [String] = []
        var inside = false
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasSuffix(":"), !line.hasPrefix(" ") {
                inside = line == "\(block):"
                continue
            }
            guard inside, line.hasPrefix("  "), !line.hasPrefix("   "), let label = line.dropFirst(2).components(separatedBy: "  ").first,
                !label.isEmpty, !label.contains("'")
            else { continue }
            labels.append(label)
        }
        return labels
    }

    /// `--config <file>` → `--config`; `-h, --help` → `-h`, `--help`; `--config=file` → `--config`.
    static func optionNames(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "," }).filter { $0.hasPrefix("-") }
            .map { String($0.split(separator: "=").first ?? $0) }
    }

    @Test func everyOptionOfTheHelpHasItsEntryAndNoOther() throws {
        let help = try command.run(["--help"]).stdout
        let options = Self.labels(help, block: "OPTIONS").flatMap(Self.optionNames)
        #expect(options.contains("--config"))
        let documented = page.entries(in: "OPTIONS").flatMap { Self.optionNames($0.tag) }
        #expect(Set(documented) == Set(options))
    }

    @Test func everySubcommandOfTheHelpHasItsEntry() throws {
        let help = try command.run(["--help"]).stdout
        let subcommands = Self.labels(help, block: "SUBCOMMANDS")
        #expect(subcommands.contains("check-config"))
        let documented = page.entries(in: "COMMANDS").map(\.name)
        for subcommand in subcommands { #expect(documented.contains(subcommand), "\(subcommand)") }
        // check-config's own usage line: the page's tag is the same words.
        let usage = try command.run(["check-config", "--help"]).stdout
        let entry = page.entries(in: "COMMANDS").first { $0.name == "check-config" }
        #expect(usage.contains("USAGE: ccagentd check-config <\(entry?.tag.split(separator: " ").last ?? "")>"))
    }

    @Test func theVersionIsTheBinarys() throws {
        let version = try command.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(page.header.count >= 4)
        #expect(page.header.dropFirst(3).first == version)
    }

    @Test func theExitStatusesSeenAreListed() throws {
        let listed = Set(page.entries(in: "EXIT STATUS").map(\.name))
        let seen = [
            try command.run(["--version"]).status, try command.run(["--bogus"]).status,
            try command.run(["check-config", "/nonexistent/ccagentd.conf"]).status,
        ]
        #expect(Set(seen).count == 3)
        for status in seen { #expect(listed.contains(String(status)), "exit status \(status)") }
    }

    /// The event names under LOGGING (a tag may list several): each one is written by the code as
    /// a string literal, so a renamed event cannot stay in the page.
    @Test func everyLoggedEventItNamesIsOneTheCodeWrites() throws {
        let names = page.entries(in: "LOGGING").flatMap { $0.tag.components(separatedBy: ", ") }
        #expect(names.count >= 20)
        let sources = Repository.root.appendingPathComponent("Sources")
        var code = ""
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            if file.pathExtension == "swift", !file.path.contains("/AMISimulator/") { code += try String(contentsOf: file, encoding: .utf8) }
        }
        let unknown = names.filter { !code.contains("\"\($0)\"") }
        #expect(unknown.isEmpty, "log events in ccagentd.8 that no code under Sources writes: \(unknown)")
    }
}
