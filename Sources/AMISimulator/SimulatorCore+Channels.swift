import Foundation

/// Creating, changing and hanging up channels, and the channel events Asterisk sends for them.
extension SimulatorCore {
    func nextCallNumber() -> Int {
        nextCallID += 1
        return nextCallID
    }

    func nextSuffix() -> String {
        defer { channelSequence += 1 }
        let hex = String(channelSequence, radix: 16)
        return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }

    private func nextUniqueid() -> String {
        defer { uniqueSequence += 1 }
        return "\(Self.epochSeconds()).\(uniqueSequence)"
    }

    func channel(named name: String) -> SimChannel? {
        channels.first { $0.name == name } ?? channels.first { $0.uniqueid == name }
    }

    func makeChannel(
        name: String, linkedid: String?, state: ChannelState, context: String, exten: String, phone: String?,
        callID: Int
    ) -> SimChannel {
        let uniqueid = nextUniqueid()
        let channel = SimChannel(
            name: name, uniqueid: uniqueid, linkedid: linkedid ?? uniqueid, state: state, context: context,
            exten: exten, phone: phone)
        channel.callID = callID
        channels.append(channel)
        emit("Newchannel", .call, channel.fields())
        return channel
    }

    /// `Local/<exten>@<context>-0000000a;1` (Down) and `;2` (Ring, runs the dialplan).
    func newLocalPair(exten: String, context: String, linkedid: String?, phone: String?, callID: Int) -> (SimChannel, SimChannel) {
        let base = "Local/\(exten)@\(context)-\(nextSuffix())"
        let one = makeChannel(
            name: base + ";1", linkedid: linkedid, state: .down, context: context, exten: exten, phone: phone,
            callID: callID)
        let two = makeChannel(
            name: base + ";2", linkedid: linkedid ?? one.uniqueid, state: .ring, context: context, exten: exten,
            phone: nil, callID: callID)
        return (one, two)
    }

    /// The channels Asterisk creates to ring a phone: a Local pair, or `PJSIP/101-0000002a` (Down;
    /// an analog DAHDI line starts Reserved).
    func newPhoneLeg(interface: String, linkedid: String?, callID: Int) -> PhoneLeg {
        if let local = Self.localParts(interface) {
            let (one, two) = newLocalPair(
                exten: local.exten, context: local.context, linkedid: linkedid, phone: interface, callID: callID)
            return PhoneLeg(interface: interface, primary: one, secondary: two)
        }
        let channel = makeChannel(
            name: "\(interface)-\(nextSuffix())", linkedid: linkedid, state: interface.hasPrefix("DAHDI/") ? .reserved : .down,
            context: "default", exten: "s", phone: interface, callID: callID)
        return PhoneLeg(interface: interface, primary: channel, secondary: nil)
    }

    /// A channel a phone creates itself by dialling: `PJSIP/101-0000002b` in state Ring. chan_sip
    /// makes it Down and DAHDI's analog lines Reserved, and both set Ring once the phone has dialled.
    func newDialingChannel(interface: String, number: String, callID: Int) -> SimChannel {
        let madeFirst: ChannelState? = interface.hasPrefix("SIP/") ? .down : interface.hasPrefix("DAHDI/") ? .reserved : nil
        let context = Self.localParts(interface)?.context ?? "from-internal"
        let name: String
        if let local = Self.localParts(interface) {
            name = "Local/\(local.exten)@\(local.context)-\(nextSuffix());1"
        } else {
            name = "\(interface)-\(nextSuffix())"
        }
        let channel = makeChannel(
            name: name, linkedid: nil, state: madeFirst ?? .ring, context: context, exten: number, phone: interface, callID: callID)
        if madeFirst != nil { setState(channel, .ring, refresh: false) }
        refreshPhone(interface)
        return channel
    }

    /// `Local/101@agents/n` → (`101`, `agents`).
    static func localParts(_ interface: String) -> (exten: String, context: String)? {
        guard interface.hasPrefix("Local/") else { return nil }
        var rest = interface.dropFirst("Local/".count)
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        guard let at = rest.firstIndex(of: "@") else { return (String(rest), "default") }
        return (String(rest[..<at]), String(rest[rest.index(after: at)...]))
    }

    func setCallerID(_ channel: SimChannel, num: String, name: String) {
        channel.setCaller(num: num, name: name)
        emit("NewCallerid", .call, channel.fields() + [("CID-CallingPres", "0 (Presentation Allowed, Not Screened)")])
    }

    func setState(_ channel: SimChannel, _ state: ChannelState, refresh: Bool = true) {
        channel.state = state
        emit("Newstate", .call, channel.fields())
        if refresh, let phone = channel.phone { refreshPhone(phone) }
    }

    static func causeText(_ cause: Int) -> String {
        switch cause {
        case 16: "Normal Clearing"
        case 17: "User busy"
        case 19: "User alerting, no answer"
        case 21: "Call Rejected"
        default: "Unknown"
        }
    }

    func hangupChannel(_ channel: SimChannel, cause: Int = 16, refresh: Bool = true) {
        guard let index = channels.firstIndex(where: { $0 === channel }) else { return }
        channels.remove(at: index)
        emit("Hangup", .call, channel.fields() + [("Cause", String(cause)), ("Cause-txt", Self.causeText(cause))])
        if refresh, let phone = channel.phone { refreshPhone(phone) }
    }

    // MARK: Dial and bridge events

    func dialBegin(_ caller: SimChannel?, _ dest: SimChannel, dialString: String) {
        emit("DialBegin", .call, (caller?.fields() ?? []) + dest.fields(prefix: "Dest") + [("DialString", dialString)])
    }

    func dialState(_ caller: SimChannel?, _ dest: SimChannel) {
        emit("DialState", .call, (caller?.fields() ?? []) + dest.fields(prefix: "Dest") + [("DialStatus", "RINGING")])
    }

    func dialEnd(_ caller: SimChannel?, _ dest: SimChannel, status: String) {
        emit("DialEnd", .call, (caller?.fields() ?? []) + dest.fields(prefix: "Dest") + [("DialStatus", status)])
    }

    private func bridgeFields(_ id: String, count: Int) -> [(String, String)] {
        [("BridgeUniqueid", id), ("BridgeType", "basic"), ("BridgeTechnology", "simple_bridge"),
         ("BridgeCreator", "<unknown>"), ("BridgeName", "<unknown>"), ("BridgeNumChannels", String(count)),
         ("BridgeVideoSourceMode", "none")]
    }

    /// BridgeCreate and a BridgeEnter per channel; returns the bridge id.
    func bridge(_ first: SimChannel, _ second: SimChannel) -> String {
        let id = UUID().uuidString.lowercased()
        emit("BridgeCreate", .call, bridgeFields(id, count: 0))
        for (index, channel) in [first, second].enumerated() {
            channel.bridgeID = id
            emit("BridgeEnter", .call, bridgeFields(id, count: index + 1) + channel.fields())
        }
        return id
    }

    func bridgeLeave(_ channel: SimChannel, remaining: Int) {
        guard !channel.bridgeID.isEmpty else { return }
        let id = channel.bridgeID
        emit("BridgeLeave", .call, bridgeFields(id, count: remaining) + channel.fields())
        if remaining == 0 { emit("BridgeDestroy", .call, bridgeFields(id, count: 0)) }
        channel.bridgeID = ""
    }

    // MARK: Phones

    func phoneAnswers(_ interface: String) -> Bool {
        if let explicit = answers[interface] { return explicit }
        return configuration.timings.phonesAnswer && !configuration.timings.noAnswer.contains(interface)
    }

    /// Hangs up whichever call `channel` belongs to, the way that call ends when this side hangs up.
    func hangup(_ channel: SimChannel, cause: Int = 16) {
        switch calls[channel.callID] {
        case .queue(let call)?:
            if channel === call.caller || channel === call.outer {
                callerHangsUp(call, cause: cause)
            } else {
                agentLegHungUp(call)
            }
        case .plain(let call)?:
            endPlainCall(call, cause: cause)
        case nil:
            hangupChannel(channel, cause: cause)
        }
    }
}
