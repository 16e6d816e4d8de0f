import AgentCore
import SystemSupport
import Testing

@testable import Config

/// `interface` is what a queue dials; `state_interface` is any device state Asterisk can watch, as
/// its queues read them (app_queue's `hint:`, main/devicestate.c's `Technology/` and `Provider:`).
@Suite("Validation: interfaces and state interfaces")
struct InterfaceValidationTests {
    func extensionText(_ key: String, _ value: String, interface: String = "PJSIP/103") -> String {
        let first = key == "interface" ? "" : "interface = \(interface)\n"
        return "[103]\ntype = extension\n\(first)\(key) = \(value)\n"
    }

    func problems(_ text: String) -> [String] { errors(text, base: peopleBase).map(\.description) }

    /// `ccagentd.conf:LINE: [103] KEY: ` for the line of `key` in `extensionText`.
    func prefix(_ key: String, _ text: String) -> String {
        "ccagentd.conf:\(line(of: "[103]", in: text, base: peopleBase) + (key == "interface" ? 2 : 3)): [103] \(key): "
    }

    static let stateForms =
        "Technology/resource (PJSIP/101, SIP/101, IAX2/101, DAHDI/1, Local/101@from-queue/n), hint:exten@context (hint:101@ext-local) "
        + "or Provider:name (Custom:agent101, Queue:sales_avail, Park:701@parkedcalls, Calendar:…, MeetMe:…, confbridge:…)"

    @Test(arguments: [
        "PJSIP/101", "SIP/101", "SIP/agent-1", "IAX2/101", "DAHDI/1", "DAHDI/g1", "Local/101@from-queue/n", "Local/101@agents/n",
        "pjsip/101", "Skinny/phone1", "PJSIP/101/sip:101@192.0.2.10:5060",
    ])
    func phonesOfEveryChannelTechnologyAreInterfaces(value: String) {
        let text = extensionText("interface", value)
        #expect(loaded(text, base: peopleBase)?.core.extensions["103"]?.interface == Interface(value))
    }

    @Test(arguments: [
        "Custom:agent101", "custom:agent101", "hint:101@ext-local", "hint:101", "hint:*101@from-internal", "Queue:sales_avail",
        "Queue:sales_pause_PJSIP/101", "Park:701@parkedcalls", "Calendar:work", "MeetMe:1234", "Meetme:1234", "confbridge:1234",
        "Agent:1001", "Stasis:lamp", "PJSIP/101", "SIP/101", "IAX2/101", "DAHDI/1", "Local/101@from-queue/n",
    ])
    func everyDeviceStateAsteriskWatchesIsAStateInterface(value: String) {
        let text = extensionText("state_interface", value, interface: "Local/103@from-queue/n")
        let ext = loaded(text, base: peopleBase)?.core.extensions["103"]
        #expect(ext == ExtensionDefinition(id: "103", interface: "Local/103@from-queue/n", stateInterface: Interface(value)))
    }

    @Test(arguments: [
        "101", "agent101", "PJSIP/", "Custom:", "hint:", "hint:@ext-local", ":agent101", "/101", "Custom :agent101", "Custom:agent 101",
        "Custom:agent\t101", "Custom:agent101,Custom:agent102", "Cust.om:agent101", "@ext-local",
    ])
    func malformedStateInterfacesAreRefusedNamingTheForms(value: String) {
        let text = extensionText("state_interface", value)
        #expect(problems(text) == [prefix("state_interface", text) + "\"\(value.escapingControlCharacters)\" is not a device state Asterisk can watch: \(Self.stateForms)"])
    }

    @Test func anEmptyStateInterfaceIsRefused() {
        let text = extensionText("state_interface", "")
        #expect(problems(text) == [prefix("state_interface", text) + "no value after =; give one or remove the line"])
    }

    @Test(arguments: ["Hint:101@ext-local", "HINT:101"])
    func hintIsReadOnlyInLowerCase(value: String) {
        let text = extensionText("state_interface", value)
        #expect(problems(text) == [
            prefix("state_interface", text) + "write \"hint:\(value.dropFirst(5))\": Asterisk's queues read hint: only in lower case"
        ])
    }

    @Test func whatAsteriskWouldCutIsRefused() {
        let long = "Custom:" + String(repeating: "a", count: 73)  // 80 characters
        let fits = "Custom:" + String(repeating: "a", count: 72)  // 79
        let text = extensionText("state_interface", long)
        #expect(problems(text) == [
            prefix("state_interface", text) + "\"\(long)\" is 80 characters; Asterisk keeps 79 of a queue member's state interface and cuts the rest"
        ])
        #expect(problems(extensionText("state_interface", fits)).isEmpty)
    }

    @Test(arguments: ["Custom:agent103", "hint:103@ext-local", "Queue:sales_avail"])
    func aDeviceStateIsNotSomethingAQueueDials(value: String) {
        let text = extensionText("interface", value)
        #expect(problems(text) == [
            prefix("interface", text)
                + "\"\(value)\" is a device state, not something a queue can dial; give it as state_interface and the phone as interface (PJSIP/101, SIP/101, IAX2/101, DAHDI/1 or Local/101@from-queue/n)"
        ])
    }

    @Test(arguments: ["103", "PJSIP/", "PJSIP /103", "PJSIP/101,PJSIP/102", "-/103"])
    func malformedInterfacesAreRefusedWithExamples(value: String) {
        let text = extensionText("interface", value)
        #expect(problems(text) == [
            prefix("interface", text)
                + "\"\(value.escapingControlCharacters)\" is not an Asterisk interface Technology/resource like PJSIP/101, SIP/101, IAX2/101, DAHDI/1 or Local/101@from-queue/n"
        ])
    }

    /// Control bytes are refused for being there (ControlByteValueTests), before the shape is looked at.
    @Test(arguments: [("interface", "PJSIP/1\u{7F}03", "\\x7f at character 8"), ("state_interface", "Custom:agent\u{1}101", "\\x01 at character 13")])
    func aControlByteInAnInterfaceIsRefusedForThat(key: String, value: String, shown: String) {
        let text = extensionText(key, value)
        #expect(problems(text) == [
            prefix(key, text) + "\"\(value.escapingControlCharacters)\" holds the control character \(shown); a value may hold tabs but no other "
                + "control character (no CR, LF, NUL, ESC or DEL): Asterisk, the logs and terminals cannot carry them"
        ])
    }

    @Test func aVirtualExtensionHasNoStateInterfaceEither() {
        let text = "[903]\ntype = extension\nvirtual = yes\nstate_interface = Custom:agent903\n"
        #expect(errors(text, base: peopleBase).map(\.description) == [
            "ccagentd.conf:\(line(of: "state_interface", in: text, base: peopleBase)): [903] state_interface: a virtual extension has no phone, so no state_interface; remove it or set virtual = no"
        ])
    }
}
