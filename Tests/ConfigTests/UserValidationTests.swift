import AgentCore
import Testing

@testable import Config

/// Skills, extensions and a supervisor for the user tests to refer to.
let peopleBase = baseConfig + """
    [sales]
    type = skill
    queues = sales
    [support]
    type = skill
    queues = support-private, support-business
    queues = support-vip
    [101]
    type = extension
    interface = PJSIP/101
    [102]
    type = extension
    interface = PJSIP/102
    [105]
    type = extension
    interface = PJSIP/105
    [901]
    type = extension
    virtual = yes
    [902]
    type = extension
    virtual = yes
    [boss@example.com]
    type = user
    role = supervisor
    ccuser = no
    [lead@example.com]
    type = user
    ccuser = no
    [u](!)                       ; a user who can log in somewhere
    type = user
    extensions = 105

    """

let hash = "$6$danaDemoSalt$mkZYiI9qxneTc6UJl3bXEWnE.zpMAfMY32UFY4TAz1IgBbH/Xr1u2If32bDfCMkfwt.RBUgm8fBLKlJ0AjCWY1"

@Suite("Validation: skills, extensions, users")
struct UserValidationTests {
    func check(_ text: String) -> [String] { errors(text, base: peopleBase).map(\.description) }
    func at(_ needle: String, _ text: String) -> Int { line(of: needle, in: text, base: peopleBase) }

    @Test func aCompleteUserLoads() {
        let text = """
            [dana@example.com]
            type = user
            name = Dana Levi
            password = \(hash)
            skills = sales, support:2
            extension = 101
            extensions = 101-120, 105
            supervisors = boss@example.com
            group = team-a
            remote = yes
            mobile = +972 50-123-4567
            virtual_extension = 901
            stay_in_queues_on_logout = yes
            """
        let user = loaded(text, base: peopleBase)?.core.users["dana@example.com"]
        #expect(user == UserDefinition(
            login: "dana@example.com", name: "Dana Levi", passwordHash: hash, role: .agent, isAgent: true, active: true,
            skills: [SkillAssignment(skill: "sales", penalty: 0), SkillAssignment(skill: "support", penalty: 2)],
            personalExtension: "101", extensions: ["102", "105"], supervisors: ["boss@example.com"], group: "team-a", remote: true,
            mobile: "+972501234567", virtualExtension: "901", stayInQueuesOnLogout: true))
    }

    @Test func skillsAreSetsOfQueuesFromCommaListsAndRepeatedKeys() {
        let skills = loaded("", base: peopleBase)?.core.skills
        #expect(skills?["support"]?.queues == ["support-private", "support-business", "support-vip"])
    }

    @Test func aSkillNeedsQueues() {
        let text = "[empty]\ntype = skill\n"
        #expect(check(text) == [
            "ccagentd.conf:\(at("[empty]", text)): [empty] missing queues: a skill is a set of Asterisk queues, e.g. queues = support-private, support-business"
        ])
    }

    @Test func unknownSkillSuggests() {
        let text = "[dana](u)\nskills = sales, supprot:2\n"
        #expect(check(text) == [#"ccagentd.conf:\#(at("skills", text)): [dana] skills: unknown skill "supprot"; did you mean "support"?"#])
    }

    @Test(arguments: ["sales:1001", "sales:-1", "sales:high", "sales:"])
    func penaltyIsAWholeNumberUpTo1000(item: String) {
        let text = "[dana](u)\nskills = \(item)\n"
        #expect(check(text) == [
            #"ccagentd.conf:\#(at("skills", text)): [dana] skills: "\#(item)" is not skill:penalty with a penalty from 0 to 1000 (lower rings first)"#
        ])
    }

    @Test func aSkillListedTwiceIsAnError() {
        let text = "[dana](u)\nskills = sales:1\nskills = sales:2\n"
        #expect(check(text) == [#"ccagentd.conf:\#(at("sales:2", text)): [dana] skills: skill "sales" is listed twice"#])
    }

    @Test func anExtensionNeedsAnInterfaceUnlessVirtual() {
        let text = "[103]\ntype = extension\n"
        #expect(check(text) == [
            "ccagentd.conf:\(at("[103]", text)): [103] missing interface: the phone's Asterisk interface, e.g. interface = PJSIP/103; or virtual = yes"
        ])
    }

    @Test func aVirtualExtensionHasNoInterface() {
        let text = "[903]\ntype = extension\nvirtual = yes\ninterface = PJSIP/903\n"
        #expect(check(text) == [
            "ccagentd.conf:\(at("PJSIP/903", text)): [903] interface: a virtual extension has no phone, so no interface; remove it or set virtual = no"
        ])
    }

    @Test(arguments: ["101", "PJSIP/", "/101", "PJSIP/1 01"])
    func interfaceLooksLikeTechSlashResource(value: String) {
        let text = "[103]\ntype = extension\ninterface = \(value)\n"
        #expect(check(text) == [
            #"ccagentd.conf:\#(at("[103]", text) + 2): [103] interface: "\#(value)" is not an Asterisk interface Technology/resource like PJSIP/101, SIP/101, IAX2/101, DAHDI/1 or Local/101@from-queue/n"#
        ])
    }

    @Test func stateInterfaceDefaultsToNothingAndIsKept() {
        let text = "[103]\ntype = extension\ninterface = Local/103@agents/n\nstate_interface = PJSIP/103\n"
        let ext = loaded(text, base: peopleBase)?.core.extensions["103"]
        #expect(ext == ExtensionDefinition(id: "103", interface: "Local/103@agents/n", stateInterface: "PJSIP/103"))
    }

    @Test func unknownPersonalExtensionSuggests() {
        let text = "[dana](u)\nextension = 1010\n"
        #expect(check(text) == [#"ccagentd.conf:\#(at("extension =", text)): [dana] extension: unknown extension "1010"; did you mean "101"?"#])
    }

    @Test func anExtensionHeldByTwoUsersAsPersonalIsAnError() {
        let text = "[dana](u)\nextension = 101\n[eli]\ntype = user\nextension = 101 ; second\n"
        #expect(check(text) == [#"ccagentd.conf:\#(at("; second", text)): [eli] extension: extension "101" is already the personal extension of "dana""#])
    }

    @Test func aVirtualExtensionCannotBePersonal() {
        let text = "[dana](u)\nextension = 901\n"
        #expect(check(text) == [#"ccagentd.conf:\#(at("extension =", text)): [dana] extension: "901" is a virtual extension; give it with virtual_extension"#])
    }

    @Test func extensionsTakeRangesAndSingleIdsInOrder() {
        let text = "[dana]\ntype = user\nextensions = 105, 100-102\nextensions = 101\n"
        #expect(loaded(text, base: peopleBase)?.core.users["dana"]?.extensions == ["105", "101", "102"])
    }

    @Test func aRangeWithNoExtensionIsAnError() {
        let text = "[dana](u)\nextensions = 200-299\n"
        #expect(check(text) == ["ccagentd.conf:\(at("200-299", text)): [dana] extensions: no extension is defined in the range 200-299"])
    }

    @Test func anUnknownSingleExtensionIsAnError() {
        let text = "[dana](u)\nextensions = 101, 103\n"
        #expect(check(text) == [#"ccagentd.conf:\#(at("101, 103", text)): [dana] extensions: unknown extension "103"; did you mean "101"?"#])
    }

    @Test func aVirtualExtensionIsNotSharedThroughExtensions() {
        let text = "[dana](u)\nextensions = 901\n"
        #expect(check(text) == [
            #"ccagentd.conf:\#(at("extensions = 901", text)): [dana] extensions: "901" is a virtual extension: only its holder uses it, through virtual_extension"#
        ])
    }

    @Test func virtualExtensionsAreUnique() {
        let text = """
            [dana]
            type = user
            remote = yes
            mobile = +972501234567
            virtual_extension = 901
            [eli](u)
            remote = yes
            mobile = 0501234567
            virtual_extension = 901 ; taken
            """
        #expect(check(text) == [
            #"ccagentd.conf:\#(at("taken", text)): [eli] virtual_extension: virtual extension "901" is already held by "dana"; each remote agent needs its own"#
        ])
    }

    @Test func virtualExtensionMustBeVirtual() {
        let text = "[dana](u)\nremote = yes\nmobile = +972501234567\nvirtual_extension = 102\n"
        #expect(check(text) == [
            #"ccagentd.conf:\#(at("virtual_extension", text)): [dana] virtual_extension: extension "102" is not virtual; set virtual = yes in [102]"#
        ])
    }

    @Test func virtualExtensionNeedsMobileAndRemote() {
        let text = "[dana](u)\nvirtual_extension = 902\n"
        let line = at("virtual_extension", text)
        #expect(check(text) == [
            "ccagentd.conf:\(line): [dana] virtual_extension: missing mobile: calls to a virtual extension follow the agent's mobile",
            "ccagentd.conf:\(line): [dana] virtual_extension: missing remote = yes: a virtual extension is for a remote agent",
        ])
    }

    @Test func remoteNeedsAVirtualExtension() {
        let text = "[dana](u)\nremote = yes\nmobile = +972501234567\n"
        #expect(check(text) == [
            "ccagentd.conf:\(at("remote", text)): [dana] remote: missing virtual_extension: a remote agent takes calls on its mobile through its own virtual extension"
        ])
    }

    @Test(arguments: [("+972 50-123-4567", "+972501234567"), ("0501234567", "0501234567"), ("(03) 555.1234", "035551234"), ("+123456", "+123456")])
    func mobileNumbersAreNormalised(value: String, expected: String) {
        let text = "[dana](u)\nmobile = \(value)\n"
        #expect(loaded(text, base: peopleBase)?.core.users["dana"]?.mobile == expected)
    }

    @Test(arguments: ["12345", "+1234567890123456", "050-CALL-ME", "+972+501234567", "tel:0501234567"])
    func mobileMustBeDialable(value: String) {
        let text = "[dana](u)\nmobile = \(value)\n"
        #expect(check(text) == [
            #"ccagentd.conf:\#(at("mobile", text)): [dana] mobile: "\#(value)" is not a dialable mobile number; write an optional + then 6 to 15 digits (spaces and dashes are ignored), e.g. +972501234567"#
        ])
    }

    @Test(arguments: [
        hash,
        "$5$rounds=5000$saltsaltsalt$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZF5Gsut6B",
        "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
        "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",
    ])
    func passwordHashesAreAccepted(password: String) {
        let text = "[dana](u)\npassword = \(password)\n"
        #expect(loaded(text, base: peopleBase)?.core.users["dana"]?.passwordHash == password)
    }

    @Test(arguments: ["hunter2", "$6$", "$6$salt$short", "$9$salt$abcdefghijklmnopqrstuvwxyz", "$6$salt$has spaces in the hash part"])
    func clearPasswordsAreRefusedWithoutBeingRepeated(password: String) {
        let text = "[dana](u)\npassword = \(password)\n"
        let found = check(text)
        #expect(found == [
            "ccagentd.conf:\(at("password", text)): [dana] password: not a crypt(3) hash; never write a password in clear. Make a hash with `openssl passwd -6` or `mkpasswd -m sha-512` and paste it here"
        ])
        #expect(!found.joined().contains(password.suffix(5)))
    }

    @Test func supervisorsMustBeKnownUsers() {
        let text = "[dana](u)\nsupervisors = bos@example.com\n"
        #expect(check(text) == [
            #"ccagentd.conf:\#(at("supervisors", text)): [dana] supervisors: unknown user "bos@example.com"; did you mean "boss@example.com"?"#
        ])
    }

    @Test func supervisorsMustHaveASupervisorRole() {
        let text = "[dana](u)\nsupervisors = boss@example.com, lead@example.com\n"
        #expect(check(text) == [
            #"ccagentd.conf:\#(at("supervisors", text)): [dana] supervisors: "lead@example.com" has role = agent; supervisors must have role = supervisor or admin"#
        ])
    }

    @Test func nobodySupervisesThemselves() {
        let text = "[chief](u)\nrole = admin\nsupervisors = chief\n"
        #expect(check(text) == ["ccagentd.conf:\(at("supervisors", text)): [chief] supervisors: a user cannot be their own supervisor"])
    }

    @Test func roleIsAgentSupervisorOrAdmin() {
        let text = "[dana](u)\nrole = manager\n"
        #expect(check(text) == [#"ccagentd.conf:\#(at("manager", text)): [dana] role: "manager" is not agent or supervisor or admin"#])
    }

    @Test func userDefaults() {
        let user = loaded("[dana](u)\n", base: peopleBase)?.core.users["dana"]
        #expect(user == UserDefinition(login: "dana", name: "dana", extensions: ["105"]))
    }
}

@Suite("Validation: agents need an extension")
struct AgentExtensionTests {
    @Test func anAgentWithNowhereToLogInIsAnError() {
        let text = "[dana]\ntype = user\nskills = sales\n"
        #expect(errors(text, base: peopleBase).map(\.description) == [
            "ccagentd.conf:\(line(of: "[dana]", in: text, base: peopleBase)): [dana] missing extension: an agent (ccuser = yes, the default for role = agent) needs somewhere to log in: extension, extensions or virtual_extension; or set ccuser = no"
        ])
    }

    @Test(arguments: ["ccuser = no", "active = no", "extension = 101", "extensions = 101-102"])
    func butNotWhenItIsNotAnActiveAgentOrHasOne(line: String) {
        #expect(errors("[dana]\ntype = user\n\(line)\n", base: peopleBase).isEmpty)
    }

    @Test func skillsMayBeEmpty() {
        #expect(loaded("[dana]\ntype = user\nextension = 101\n", base: peopleBase)?.core.users["dana"]?.skills == [])
    }
}
