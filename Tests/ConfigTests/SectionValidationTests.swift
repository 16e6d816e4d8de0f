import AgentCore
import Testing

@testable import Config

@Suite("Validation: sections, keys, settings")
struct SectionValidationTests {
    @Test func missingTypeIsAnErrorWithAGuess() {
        #expect(errors("[general]\ndatabase = /tmp/x.sqlite\n").map(\.description) == [
            #"ccagentd.conf:5: [general] no type; add type = general | ami | api | remote | status | skill | extension | user; did you mean "type = general"?"#
        ])
        #expect(errors("[sales]\nqueues = sales\n").map(\.message).first?.hasSuffix(#"did you mean "type = skill"?"#) == true)
    }

    @Test func unknownTypeSuggests() {
        #expect(errors("[sales]\ntype = skil\nqueues = sales\n").map(\.description) == [
            #"ccagentd.conf:6: [sales] type: unknown type "skil"; expected general, ami, api, remote, status, skill, extension or user; did you mean "skill"?"#
        ])
    }

    @Test(arguments: [
        ("status", "timeout_gto = connected", #"unknown key "timeout_gto" for type = status; did you mean "timeout_goto"?"#),
        ("user", "extention = 101", #"unknown key "extention" for type = user; did you mean "extension"?"#),
        ("extension", "interfase = PJSIP/1", #"unknown key "interfase" for type = extension; did you mean "interface"?"#),
        ("skill", "queue = sales", #"unknown key "queue" for type = skill; did you mean "queues"?"#),
        ("status", "colour = #ffffff", #"unknown key "colour" for type = status; did you mean "color"?"#),
        ("status", "wibble = 1", #"unknown key "wibble" for type = status"#),
    ])
    func unknownKeySuggests(type: String, line: String, message: String) {
        let found = errors("[x]\ntype = \(type)\ninterface = PJSIP/1\nqueues = q\n\(line)\n")
            .filter { !$0.message.hasPrefix("unknown key \"interface\"") && !$0.message.hasPrefix("unknown key \"queues\"") }
        #expect(found.map(\.message) == [message])
        #expect(found.first?.line == 9)
        #expect(found.first?.key == String(line.prefix { $0 != " " }))
    }

    @Test func singleKeyTwiceInASectionIsAnErrorButOverridingATemplateIsNot() {
        let text = "[t](!)\ntype = status\nlabel = From template\n[break](t)\nlabel = Break\nlabel = Pause\n"
        #expect(errors(text).map(\.description) == ["ccagentd.conf:10: [break] label: set twice in this section (first at ccagentd.conf:9)"])
        #expect(loaded("[t](!)\ntype = status\nlabel = From template\n[break](t)\nlabel = Break\n")?.core.statuses["break"]?.label == "Break")
    }

    @Test func aMistakeInATemplateIsReportedOnceAtTheTemplateLine() {
        let text = "[t](!)\ntype = user\nccuser = no\nrole = boss\n[a](t)\n[b](t)\n"
        #expect(errors(text).map(\.description) == [#"ccagentd.conf:8: [a] role: "boss" is not agent or supervisor or admin"#])
    }

    @Test func theAMISectionIsRequiredWithUsernameAndSecret() {
        #expect(errors("", base: "").map(\.description) == ["ccagentd.conf: no section with type = ami"])
        #expect(errors("[pbx]\ntype = ami\n", base: "").map(\.description) == [
            "ccagentd.conf:1: [pbx] missing username: the AMI login of manager.conf",
            "ccagentd.conf:1: [pbx] missing secret: the AMI login of manager.conf",
        ])
    }

    @Test func settingsDefaultsAsInTheDesign() {
        let configuration = loaded("")
        #expect(configuration?.general == GeneralSettings(database: "/var/lib/ccagentd/ccagentd.sqlite", logFormat: .json, logLevel: "info"))
        #expect(configuration?.ami == AMISettings(host: "127.0.0.1", port: 5038, username: "ccagentd", secret: "change-me"))
        #expect(configuration?.api == APISettings(listen: ListenAddress(host: "127.0.0.1", port: 8088), socket: nil))
        #expect(configuration?.core.remote == RemoteSettings())
    }

    @Test func settingsAreRead() {
        let text = """
            [general]
            type = general
            database = /srv/cc.sqlite
            log_format = text
            log_level = debug
            [api]
            type = api
            listen = [::1]:9000
            socket = /run/cc.sock
            [remote]
            type = remote
            interface = Local/${MOBILE}@out/n
            followme_family = cc/fm
            """
        let configuration = loaded(text, base: "[pbx]\ntype = ami\nhost = pbx.local\nport = 5039\nusername = u\nsecret = s\nping_interval = 30\nauth = md5\n")
        #expect(configuration?.general == GeneralSettings(database: "/srv/cc.sqlite", logFormat: .text, logLevel: "debug"))
        #expect(configuration?.ami == AMISettings(host: "pbx.local", port: 5039, username: "u", secret: "s", pingInterval: .seconds(30), authentication: .md5))
        #expect(configuration?.api == APISettings(listen: ListenAddress(host: "::1", port: 9000), socket: "/run/cc.sock"))
        #expect(configuration?.core.remote == RemoteSettings(interfaceTemplate: "Local/${MOBILE}@out/n", followmeFamily: "cc/fm"))
    }

    @Test(arguments: [
        ("[pbx]\ntype = ami\nusername = u\nsecret = s\nport = 70000\n", #"ccagentd.conf:5: [pbx] port: "70000" is not a whole number from 1 to 65535"#),
        ("[pbx]\ntype = ami\nusername = u\nsecret = s\nauth = sha\n", #"ccagentd.conf:5: [pbx] auth: "sha" is not plain or md5"#),
        ("[pbx]\ntype = ami\nusername = u\nsecret = s\nping_interval = 0\n",
         #"ccagentd.conf:5: [pbx] ping_interval: "0" is not a whole number from 1 to 3600 seconds"#),
        ("[pbx]\ntype = ami\nusername = u\nsecret = s\n[g]\ntype = general\nlog_format = xml\n", #"ccagentd.conf:7: [g] log_format: "xml" is not json or text"#),
        ("[pbx]\ntype = ami\nusername = u\nsecret = s\n[g]\ntype = general\nlog_level = warn\n",
         #"ccagentd.conf:7: [g] log_level: "warn" is not a log level (trace, debug, info, notice, warning, error, critical); did you mean "warning"?"#),
        ("[pbx]\ntype = ami\nusername = u\nsecret = s\n[a]\ntype = api\nlisten = 8088\n",
         #"ccagentd.conf:7: [a] listen: "8088" is not host:port, e.g. 127.0.0.1:8088 or [::1]:8088"#),
        ("[pbx]\ntype = ami\nusername = u\nsecret = s\n[a]\ntype = api\nsocket = run/x.sock\n",
         #"ccagentd.conf:7: [a] socket: "run/x.sock" is not an absolute path, e.g. /run/ccagentd/ccagentd.sock"#),
        ("[pbx]\ntype = ami\nusername = u\nsecret = s\n[r]\ntype = remote\ninterface = Local/mobile@out\n",
         #"ccagentd.conf:7: [r] interface: "Local/mobile@out" is not an interface with ${MOBILE} in it, e.g. Local/${MOBILE}@ccagentd-remote/n"#),
    ])
    func badSettingValues(text: String, expected: String) {
        #expect(errors(text, base: "").map(\.description) == [expected])
    }

    @Test func anEmptyValueIsAnError() {
        #expect(errors("[break]\ntype = status\nlabel =\n").map(\.description) == [
            "ccagentd.conf:7: [break] label: no value after =; give one or remove the line"
        ])
    }

    @Test func aSecondAMISectionIsAnError() {
        #expect(errors("[other]\ntype = ami\nusername = u\nsecret = s\n").map(\.description) == [
            "ccagentd.conf:5: [other] a second type = ami section; the first is at ccagentd.conf:1"
        ])
    }

    @Test func allErrorsAreCollectedInFileOrder() {
        let text = """
            [break]
            type = status
            timeout = 900
            timeout_goto = brake
            color = red
            [sales]
            type = skil
            [dana]
            type = user
            ccuser = no
            password = secret
            """
        let found = errors(text)
        #expect(found.compactMap(\.line) == [8, 9, 11, 15])
        #expect(found.map(\.key) == ["timeout_goto", "color", "type", "password"])
    }

    @Test func errorsInIncludedFilesNameThatFile() {
        let files = [
            "/etc/ccagentd/ccagentd.conf": baseConfig + "#include statuses.conf\n",
            "/etc/ccagentd/statuses.conf": "; statuses\n[break]\ntype = status\ntimeout = 60\ntimeout_goto = brake\n",
        ]
        let result = ConfigLoader(fileReader: InMemoryFileReader(files)).load(path: "/etc/ccagentd/ccagentd.conf")
        guard case .failure(let list) = result else {
            Issue.record("expected errors")
            return
        }
        #expect(list.errors.map(\.description) == [
            #"/etc/ccagentd/statuses.conf:5: [break] timeout_goto: unknown status "brake"; did you mean "break"?"#
        ])
    }

    @Test func aMissingFileIsOneError() {
        let result = ConfigLoader(fileReader: InMemoryFileReader([:])).load(path: "nowhere.conf")
        guard case .failure(let list) = result else {
            Issue.record("expected errors")
            return
        }
        #expect(list.errors.map(\.description) == [#"cannot read "nowhere.conf": no such file"#])
    }
}
