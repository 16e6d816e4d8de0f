import AgentCore
import Testing

@testable import Config

/// `ccuser` (is the user a call-center agent) defaults by role: yes for agents, no for
/// supervisors and admins; what the file says wins, from a template too.
@Suite("Validation: ccuser follows the role unless set")
struct CCUserDefaultTests {
    func user(_ text: String) -> UserDefinition? { loaded(text, base: peopleBase)?.core.users["x"] }

    @Test(arguments: [("agent", true), ("supervisor", false), ("admin", false), ("Supervisor", false)])
    func theDefaultFollowsTheRole(role: String, isAgent: Bool) {
        // Supervisors and admins need no extension for that: they are not agents.
        let text = "[x]\ntype = user\nrole = \(role)\n" + (isAgent ? "extension = 101\n" : "")
        #expect(user(text)?.isAgent == isAgent)
    }

    @Test func withoutARoleAUserIsAnAgent() {
        #expect(user("[x]\ntype = user\nextension = 101\n")?.isAgent == true)
    }

    @Test func aSupervisorWithoutCcuserNeedsNoExtension() {
        #expect(errors("[x]\ntype = user\nrole = supervisor\n", base: peopleBase).isEmpty)
        #expect(errors("[x]\ntype = user\nrole = admin\n", base: peopleBase).isEmpty)
    }

    @Test(arguments: ["agent", "supervisor", "admin"], ["yes", "no"])
    func anExplicitValueWins(role: String, ccuser: String) {
        let text = "[x]\ntype = user\nrole = \(role)\nccuser = \(ccuser)\nextension = 101\n"
        #expect(user(text)?.isAgent == (ccuser == "yes"))
    }

    @Test func aSupervisorWhoTakesCallsStillNeedsAnExtension() {
        let text = "[x]\ntype = user\nrole = supervisor\nccuser = yes\n"
        #expect(errors(text, base: peopleBase).map(\.description) == [
            "ccagentd.conf:\(line(of: "[x]", in: text, base: peopleBase)): [x] missing extension: an agent (ccuser = yes, the default for role = agent) needs somewhere to log in: extension, extensions or virtual_extension; or set ccuser = no"
        ])
    }

    @Test func anInheritedCcuserCountsAsExplicit() {
        let text = """
            [takes-calls](!)
            type = user
            ccuser = yes
            [no-calls](!)
            type = user
            ccuser = no
            [x](takes-calls)
            role = supervisor
            extension = 101
            [y](no-calls)
            role = agent

            """
        let users = loaded(text, base: peopleBase)?.core.users
        #expect(users?["x"]?.isAgent == true)
        #expect(users?["y"]?.isAgent == false)
    }

    @Test func anInheritedRoleSetsTheDefault() {
        let text = "[leads](!)\ntype = user\nrole = supervisor\n[x](leads)\n"
        #expect(user(text)?.isAgent == false)
    }

    @Test func theSectionOverridesItsTemplate() {
        let text = "[takes-calls](!)\ntype = user\nccuser = yes\n[x](takes-calls)\nrole = admin\nccuser = no\n"
        #expect(user(text)?.isAgent == false)
    }
}
