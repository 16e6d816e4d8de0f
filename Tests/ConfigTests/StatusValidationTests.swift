import AgentCore
import Testing

@testable import Config

@Suite("Validation: statuses")
struct StatusValidationTests {
    @Test func unknownTimeoutGotoSuggestsTheClosestStatus() {
        let text = """
            [break]
            type = status
            timeout = 900
            timeout_goto = brake
            """
        #expect(errors(text).map(\.description) == [
            #"ccagentd.conf:\#(line(of: "brake", in: text)): [break] timeout_goto: unknown status "brake"; did you mean "break"?"#
        ])
    }

    @Test func timeoutNeedsTimeoutGotoAndTheOtherWayRound() {
        let text = """
            [break]
            type = status
            timeout = 900
            [lunch]
            type = status
            timeout_goto = connected
            """
        let found = errors(text)
        #expect(found.map(\.description) == [
            "ccagentd.conf:\(line(of: "timeout = 900", in: text)): [break] timeout: missing timeout_goto: timeout needs the status to go to when it expires",
            "ccagentd.conf:\(line(of: "timeout_goto", in: text)): [lunch] timeout_goto: missing timeout: timeout_goto needs timeout = <seconds>",
        ])
    }

    @Test(arguments: ["0", "-5", "15m", "86401", "1.5"])
    func timeoutIsAPositiveNumberOfSeconds(value: String) {
        let text = "[break]\ntype = status\ntimeout = \(value)\ntimeout_goto = connected\n"
        #expect(errors(text).map(\.description) == [
            #"ccagentd.conf:7: [break] timeout: "\#(value)" is not a whole number from 1 to 86400 seconds"#
        ])
    }

    @Test func timeoutLoopIsAnErrorNamingTheCycle() {
        let text = """
            [break]
            type = status
            timeout = 60
            timeout_goto = lunch
            [lunch]
            type = status
            timeout = 60
            timeout_goto = meeting
            [meeting]
            type = status
            timeout = 60
            timeout_goto = break
            [tea]
            type = status
            timeout = 60
            timeout_goto = break
            """
        #expect(errors(text).map(\.description) == [
            "ccagentd.conf:\(line(of: "timeout_goto = lunch", in: text)): [break] timeout_goto: timeouts go round in a loop: break → lunch → meeting → break; an agent would never leave it"
        ])
    }

    @Test func timeoutToItselfIsALoop() {
        let text = "[break]\ntype = status\ntimeout = 60\ntimeout_goto = break\n"
        #expect(errors(text).map(\.message) == ["timeouts go round in a loop: break → break; an agent would never leave it"])
    }

    @Test func timeoutChainWithoutLoopIsFine() {
        let text = "[break]\ntype = status\ntimeout = 60\ntimeout_goto = lunch\n[lunch]\ntype = status\ntimeout = 60\ntimeout_goto = connected\n"
        let configuration = loaded(text)
        #expect(configuration?.core.statuses["break"]?.timeout == .seconds(60))
        #expect(configuration?.core.statuses["break"]?.timeoutGoto == "lunch")
    }

    @Test func atMostOneDefaultStatus() {
        let text = """
            [ready]
            type = status
            default = yes
            activate_skills = yes
            [waiting]
            type = status
            default = true
            """
        #expect(errors(text).map(\.description) == [
            "ccagentd.conf:\(line(of: "default = true", in: text)): [waiting] default: status [ready] is already the default; at most one status may have default = yes"
        ])
    }

    @Test func theDefaultStatusIsTheLoginStatus() {
        let configuration = loaded("[ready]\ntype = status\ndefault = yes\nactivate_skills = yes\n")
        #expect(configuration?.core.loginStatus == "ready")
        #expect(configuration?.core.statuses["ready"]?.activatesSkills == true)
    }

    @Test(arguments: [
        ("connected", "activate_skills = no"), ("virtual", "timeout = 60"), ("unassigned", "default = yes"),
        ("incoming_call", "max_agents = 2"), ("connected", "on_hangup = last"),
    ])
    func builtInsOnlyTakeLabelColourAndOnHangup(status: String, line: String) {
        let text = "[\(status)]\ntype = status\nlabel = Fine\ncolor = #102030\n\(line)\n"
        let key = String(line.prefix { $0 != " " })
        let allowed = StatusID(status).isCall ? "label, color and on_hangup" : "label and color"
        #expect(errors(text).map(\.description) == [
            #"ccagentd.conf:9: [\#(status)] \#(key): "\#(key)" cannot be set on the built-in status "\#(status)"; only \#(allowed) may be set"#
        ])
    }

    @Test func builtInsMayBeRelabelledAndAllFiveAreLoaded() {
        let configuration = loaded("[connected]\ntype = status\nlabel = Available\ncolor = #00FF00\n")
        let statuses = configuration?.core.statuses
        #expect(Set(statuses?.keys.map(\.self) ?? []) == Set(StatusID.builtIns))
        #expect(statuses?["connected"]?.label == "Available")
        #expect(statuses?["connected"]?.color == "#00ff00")
        #expect(statuses?["connected"]?.activatesSkills == true)
    }

    @Test func onHangupGoesToAStatusOrLast() {
        let text = """
            [paperwork]
            type = status
            timeout = 60
            timeout_goto = connected
            [incoming_call]
            type = status
            on_hangup = paperwork
            [outgoing_call]
            type = status
            on_hangup = last
            """
        let statuses = loaded(text)?.core.statuses
        #expect(statuses?["incoming_call"]?.onHangup == .status("paperwork"))
        #expect(statuses?["outgoing_call"]?.onHangup == .last)
    }

    @Test func onHangupToAnUnknownStatusSuggests() {
        let text = "[paperwork]\ntype = status\n[incoming_call]\ntype = status\non_hangup = paperwrok\n"
        #expect(errors(text).map(\.description) == [
            #"ccagentd.conf:9: [incoming_call] on_hangup: unknown status "paperwrok"; did you mean "paperwork"?"#
        ])
    }

    @Test func onHangupToACallStatusIsRefused() {
        let text = "[incoming_call]\ntype = status\non_hangup = outgoing_call\n"
        #expect(errors(text).map(\.message) == [#"cannot go to the call status "outgoing_call": only a call puts an agent there"#])
    }

    @Test func onHangupOnACustomStatusIsRefused() {
        let text = "[break]\ntype = status\non_hangup = last\n"
        #expect(errors(text).map(\.description) == [
            "ccagentd.conf:7: [break] on_hangup: on_hangup is only for the built-in statuses incoming_call and outgoing_call"
        ])
    }

    @Test(arguments: ["0", "-1", "many"])
    func maxAgentsIsAtLeastOne(value: String) {
        let text = "[break]\ntype = status\nmax_agents = \(value)\n"
        #expect(errors(text).map(\.description) == [#"ccagentd.conf:7: [break] max_agents: "\#(value)" is not a whole number from 1 to 100000"#])
    }

    @Test func overLimitIsWarnOrDenyAndNeedsMaxAgents() {
        #expect(errors("[break]\ntype = status\nmax_agents = 2\nover_limit = refuse\n").map(\.description) == [
            #"ccagentd.conf:8: [break] over_limit: "refuse" is not warn or deny"#
        ])
        #expect(errors("[break]\ntype = status\nover_limit = deny\n").map(\.description) == [
            "ccagentd.conf:7: [break] over_limit: missing max_agents: over_limit has no effect without max_agents"
        ])
        let status = loaded("[break]\ntype = status\nmax_agents = 2\nover_limit = DENY\n")?.core.statuses["break"]
        #expect(status?.maxAgents == 2)
        #expect(status?.overLimit == .deny)
    }

    @Test(arguments: ["orange", "#f0a02", "#f0a0200", "f0a020", "#g0a020"])
    func colourIsHashAndSixHexDigits(value: String) {
        #expect(errors("[break]\ntype = status\ncolor = \(value)\n").map(\.description) == [
            #"ccagentd.conf:7: [break] color: "\#(value)" is not a colour #rrggbb, e.g. #f0a020"#
        ])
    }

    @Test(arguments: [
        ("yes", true), ("no", false), ("true", true), ("false", false), ("1", true), ("0", false), ("on", true), ("off", false),
        ("Yes", true), ("OFF", false),
    ])
    func booleans(value: String, expected: Bool) {
        #expect(loaded("[ready]\ntype = status\nactivate_skills = \(value)\n")?.core.statuses["ready"]?.activatesSkills == expected)
    }

    @Test func notABoolean() {
        #expect(errors("[ready]\ntype = status\nactivate_skills = sometimes\n").map(\.description) == [
            #"ccagentd.conf:7: [ready] activate_skills: "sometimes" is not yes or no"#
        ])
    }

    @Test func customStatusDefaults() {
        let status = loaded("[lunch]\ntype = status\n")?.core.statuses["lunch"]
        #expect(status == StatusDefinition(id: "lunch", label: "lunch", color: "#808080", activatesSkills: false))
    }
}
