import Foundation
import SystemSupport

/// Calls outside any queue: a phone rung from outside, a phone dialling out (07), and the
/// Originate flow that rings a phone first (12).
extension SimulatorCore {
    private func newPlainCall() -> PlainCall {
        let call = PlainCall(id: nextCallNumber())
        calls[call.id] = .plain(call)
        return call
    }

    private func after(_ delay: Duration, in call: PlainCall, _ work: @escaping () -> Void) {
        call.timers.append(loop.schedule(after: delay) { if !call.finished { work() } })
    }

    /// An outside caller dials the phone `interface` (not through a queue). Returns the phone's channel.
    @discardableResult
    func callPhone(_ interface: String, callerNum: String, callerName: String) -> SimChannel {
        let call = newPlainCall()
        let exten = Self.localParts(interface)?.exten ?? String(interface.split(separator: "/").last ?? "s")
        let caller = makeChannel(
            name: "PJSIP/trunk-\(String(call.id, radix: 16).leftPadded(8))", linkedid: nil, state: .ring,
            context: "from-trunk", exten: exten, phone: nil, callID: call.id)
        setCallerID(caller, num: callerNum, name: callerName)
        caller.application = "Dial"
        caller.applicationData = interface
        let leg = newPhoneLeg(interface: interface, linkedid: caller.uniqueid, callID: call.id)
        call.channels = [caller] + leg.channels
        setCallerID(leg.primary, num: callerNum, name: callerName)
        dialBegin(caller, leg.primary, dialString: interface)
        leg.primary.setConnected(num: callerNum, name: callerName)
        setState(leg.primary, .ringing)
        dialState(caller, leg.primary)
        let timings = configuration.timings
        if phoneAnswers(interface) {
            after(timings.ringTime, in: call) { [unowned self] in
                self.answerLeg(leg)
                self.dialEnd(caller, leg.primary, status: "ANSWER")
                self.setState(caller, .up)
                _ = self.bridge(leg.primary, caller)
                self.after(timings.talkTime, in: call) { [unowned self] in self.endPlainCall(call, cause: 16) }
            }
        } else {
            after(timings.queueTimeout, in: call) { [unowned self] in
                self.dialEnd(caller, leg.primary, status: "NOANSWER")
                self.endPlainCall(call, cause: 19)
            }
        }
        return leg.primary
    }

    /// The phone `interface` dials `number`: its channel appears in state Ring, it dials the outside
    /// party (`Local/<number>@pstn/n`), which rings, answers, talks and hangs up.
    @discardableResult
    func phoneDialsOut(_ interface: String, number: String) -> SimChannel {
        let call = newPlainCall()
        let phone = newDialingChannel(interface: interface, number: number, callID: call.id)
        let own = Self.localParts(interface)?.exten ?? String(interface.split(separator: "/").last ?? "")
        var name = own
        for queue in queues {
            if let index = queue.memberIndex(interface) {
                name = queue.members[index].name
                break
            }
        }
        setCallerID(phone, num: own, name: name)
        phone.application = "Dial"
        phone.applicationData = "Local/\(number)@pstn/n"
        call.channels = [phone]
        dialOutside(from: phone, number: number, in: call)
        return phone
    }

    /// `from` dials the outside number: the `[pstn]` Local pair rings, answers, talks, hangs up.
    private func dialOutside(from phone: SimChannel, number: String, in call: PlainCall) {
        let (one, two) = newLocalPair(exten: number, context: "pstn", linkedid: phone.linkedid, phone: nil, callID: call.id)
        call.channels += [one, two]
        one.setCaller(num: number, name: phone.callerName)
        two.setCaller(num: phone.callerNum, name: phone.callerName)
        dialBegin(phone, one, dialString: "\(number)@pstn/n")
        setState(one, .ringing)
        dialState(phone, one)
        let timings = configuration.timings
        after(timings.pstnRingTime, in: call) { [unowned self] in
            self.setState(one, .up)
            self.dialEnd(phone, one, status: "ANSWER")
            two.priority = 4
            self.setState(two, .up)
            if phone.state != .up { self.setState(phone, .up) }
            _ = self.bridge(phone, one)
            self.after(timings.pstnTalkTime, in: call) { [unowned self] in self.endPlainCall(call, cause: 16) }
        }
    }

    private func answerLeg(_ leg: PhoneLeg) {
        if let secondary = leg.secondary {
            secondary.priority = 6
            setState(secondary, .up, refresh: false)
        }
        setState(leg.primary, .up)
    }

    /// Hangs up every channel of the call, newest first, and frees the phones it used.
    func endPlainCall(_ call: PlainCall, cause: Int) {
        guard !call.finished else { return }
        call.finished = true
        for timer in call.timers { loop.cancel(timer) }
        var phones: Set<String> = []
        for channel in call.channels.reversed() where channels.contains(where: { $0 === channel }) {
            if !channel.bridgeID.isEmpty {
                let remaining = channels.filter { $0.bridgeID == channel.bridgeID }.count - 1
                bridgeLeave(channel, remaining: remaining)
            }
            hangupChannel(channel, cause: cause, refresh: false)
            if let phone = channel.phone { phones.insert(phone) }
        }
        calls[call.id] = nil
        callsProcessed += 1
        for phone in phones.sorted() { refreshPhone(phone) }
        for queue in queues where phones.contains(where: { queue.memberIndex($0) != nil }) { distribute(queue) }
    }

    // MARK: Originate

    struct OriginateRequest {
        var channel: String
        var context: String?
        var exten: String?
        var application: String?
        var data: String
        var timeout: Duration
        var callerNum: String?
        var callerName: String?
        var actionID: String?
        var isAsync: Bool

        /// The Context/Exten or Application/Data part of OriginateResponse.
        var target: [(String, String)] {
            if let application { return [("Application", application), ("Data", data)] }
            return [("Context", context ?? ""), ("Exten", exten ?? "")]
        }
    }

    /// Rings the phone of an Originate; `done(success)` runs when it answers or times out.
    func originateCall(_ request: OriginateRequest, done: @escaping (Bool) -> Void) {
        let interface = request.channel
        // An inbound number: the call goes straight into its queue (how the recordings make callers).
        if let local = Self.localParts(interface), local.context == "inbound",
            let queueName = configuration.inboundNumbers[local.exten]
        {
            let hold = Int(request.application == "Wait" ? request.data : "") ?? 0
            startInboundCall(
                queue: queueName, number: local.exten, callerNum: request.callerNum ?? "<unknown>",
                callerName: request.callerName ?? "<unknown>", hangupAfter: hold > 0 ? .seconds(hold) : nil,
                application: (request.application ?? "Wait", request.data)
            ) { [unowned self] outer in
                self.originateResponse(request, success: true, channel: outer)
                done(true)
            }
            return
        }
        let call = newPlainCall()
        if let local = Self.localParts(interface), !knownContexts.contains(local.context) {
            // Asterisk creates the `;1` half, finds no such extension, and gives up.
            let one = makeChannel(
                name: "Local/\(local.exten)@\(local.context)-\(nextSuffix());1", linkedid: nil, state: .down,
                context: local.context, exten: local.exten, phone: nil, callID: call.id)
            call.channels = [one]
            originateResponse(request, success: false, channel: nil, reason: "0")
            endPlainCall(call, cause: 0)
            done(false)
            return
        }
        let leg = newPhoneLeg(interface: interface, linkedid: nil, callID: call.id)
        call.channels = leg.channels
        let primary = leg.primary
        if let num = request.callerNum {
            primary.setCaller(num: num, name: request.callerName ?? num)
            leg.secondary?.setCaller(num: num, name: request.callerName ?? num)
        }
        let dialString = interface.hasPrefix("Local/") ? String(interface.dropFirst("Local/".count)) : interface
        dialBegin(nil, primary, dialString: dialString)
        setState(primary, .ringing)
        dialState(nil, primary)
        let timings = configuration.timings
        if phoneAnswers(interface) && timings.ringTime < request.timeout {
            after(timings.ringTime, in: call) { [unowned self] in
                self.answerLeg(leg)
                self.originateResponse(request, success: true, channel: primary)
                done(true)
                self.dialEnd(nil, primary, status: "ANSWER")
                if let application = request.application {
                    primary.application = application
                    primary.applicationData = request.data
                    let seconds = Int(request.data).map { Duration.seconds($0) } ?? timings.talkTime
                    self.after(application == "Wait" ? seconds : timings.talkTime, in: call) { [unowned self] in
                        self.endPlainCall(call, cause: 16)
                    }
                } else {
                    primary.context = request.context ?? primary.context
                    primary.exten = request.exten ?? primary.exten
                    primary.priority = 2
                    self.dialOutside(from: primary, number: request.exten ?? "s", in: call)
                }
            }
        } else {
            after(request.timeout, in: call) { [unowned self] in
                self.originateResponse(request, success: false, channel: nil, reason: "3")
                done(false)
                self.endPlainCall(call, cause: 19)
            }
        }
    }

    private var knownContexts: Set<String> {
        var known: Set<String> = ["agents", "remote-agents", "pstn", "inbound", "outbound", "callers", "default",
                                  "from-internal", "ccagentd-remote"]
        for queue in queues {
            for member in queue.members { if let local = Self.localParts(member.interface) { known.insert(local.context) } }
        }
        return known
    }

    /// Only async Originates get this event (12); it is sent to every session, with the ActionID.
    private func originateResponse(_ request: OriginateRequest, success: Bool, channel: SimChannel?, reason: String = "4") {
        guard request.isAsync else { return }
        var fields: [(String, String)] = []
        if let id = request.actionID { fields.append(("ActionID", id)) }
        fields.append(("Response", success ? "Success" : "Failure"))
        fields.append(("Channel", channel?.name ?? request.channel))
        fields += request.target
        fields.append(("Reason", reason))
        fields.append(("Uniqueid", channel?.uniqueid ?? "<unknown>"))
        fields.append(("CallerIDNum", success ? (channel?.callerNum ?? "<unknown>") : "<unknown>"))
        fields.append(("CallerIDName", success ? (channel?.callerName ?? "<unknown>") : "<unknown>"))
        emit("OriginateResponse", .call, fields)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
