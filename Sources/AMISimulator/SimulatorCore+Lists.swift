import AMI
import Foundation

extension SimulatorCore {
    /// `headers` with the request's ActionID appended, where Asterisk puts it last.
    func withTrailingActionID(_ headers: [(String, String)], _ action: AMIMessage) -> [(String, String)] {
        guard let id = action.actionID else { return headers }
        return headers + [("ActionID", id)]
    }

    /// `Event: <name>`, the ActionID right after it, then `headers` (CoreShowChannel, every `…Complete`).
    func withLeadingActionID(_ event: String, _ headers: [(String, String)], _ action: AMIMessage) -> [(String, String)] {
        var out: [(String, String)] = [("Event", event)]
        if let id = action.actionID { out.append(("ActionID", id)) }
        return out + headers
    }

    func startList(_ session: AMISession, _ action: AMIMessage, _ message: String) {
        respond(session, to: action, "Success", [("EventList", "start"), ("Message", message)])
    }

    func completeList(_ session: AMISession, _ action: AMIMessage, _ event: String, count: Int, extra: [(String, String)] = []) {
        sendListEvent(
            withLeadingActionID(event, [("EventList", "Complete"), ("ListItems", String(count))] + extra, action),
            to: session)
    }

    func queueStatus(_ session: AMISession, _ action: AMIMessage) {
        let only = action["Queue"].flatMap { $0.isEmpty ? nil : $0 }
        let memberFilter = action["Member"].flatMap { $0.isEmpty ? nil : $0 }
        startList(session, action, "Queue status will follow")
        var count = 0
        let now = ContinuousClock.now
        for queue in queues where only == nil || queue.name == only {
            sendListEvent(withTrailingActionID(
                [("Event", "QueueParams"), ("Queue", queue.name), ("Max", "0"), ("Strategy", queue.strategy),
                 ("Calls", String(queue.waiting.count)), ("Holdtime", String(queue.averageHold)),
                 ("TalkTime", String(queue.averageTalk)), ("Completed", String(queue.completed)),
                 ("Abandoned", String(queue.abandoned)), ("ServiceLevel", String(queue.serviceLevel)),
                 ("ServicelevelPerf", String(format: "%.1f", queue.serviceLevelPerformance)),
                 ("ServicelevelPerf2", String(format: "%.1f", queue.serviceLevelPerformance)), ("Weight", "0")],
                action), to: session)
            count += 1
            for member in queue.members
            where memberFilter == nil || member.interface == memberFilter || member.name == memberFilter {
                sendListEvent(withTrailingActionID([("Event", "QueueMember")] + member.statusFields, action), to: session)
                count += 1
            }
            for (position, call) in queue.waiting.enumerated() {
                let caller = call.caller
                sendListEvent(withTrailingActionID(
                    [("Event", "QueueEntry"), ("Queue", queue.name), ("Position", String(position + 1)),
                     ("Channel", caller.name), ("Uniqueid", caller.uniqueid), ("CallerIDNum", caller.callerNum),
                     ("CallerIDName", caller.callerName), ("ConnectedLineNum", caller.connectedNum),
                     ("ConnectedLineName", caller.connectedName),
                     ("Wait", String(call.joinedAt.duration(to: now).components.seconds)), ("Priority", "0")],
                    action), to: session)
                count += 1
            }
        }
        completeList(session, action, "QueueStatusComplete", count: count)
    }

    func queueSummary(_ session: AMISession, _ action: AMIMessage) {
        let only = action["Queue"].flatMap { $0.isEmpty ? nil : $0 }
        startList(session, action, "Queue summary will follow")
        var count = 0
        let now = ContinuousClock.now
        for queue in queues where only == nil || queue.name == only {
            let longest = queue.waiting.map { $0.joinedAt.duration(to: now).components.seconds }.max() ?? 0
            sendListEvent(withTrailingActionID(
                [("Event", "QueueSummary"), ("Queue", queue.name), ("LoggedIn", String(queue.members.count)),
                 ("Available", String(queue.members.filter(\.available).count)),
                 ("Callers", String(queue.waiting.count)), ("HoldTime", String(queue.averageHold)),
                 ("TalkTime", String(queue.averageTalk)), ("LongestHoldTime", String(longest))],
                action), to: session)
            count += 1
        }
        completeList(session, action, "QueueSummaryComplete", count: count)
    }

    func coreShowChannels(_ session: AMISession, _ action: AMIMessage) {
        startList(session, action, "Channels will follow")
        let now = ContinuousClock.now
        for channel in channels {
            sendListEvent(withLeadingActionID(
                "CoreShowChannel",
                channel.fields()
                    + [("Application", channel.application), ("ApplicationData", channel.applicationData),
                       ("Duration", Self.clock(channel.createdAt.duration(to: now))), ("BridgeId", channel.bridgeID)],
                action), to: session)
        }
        completeList(session, action, "CoreShowChannelsComplete", count: channels.count)
    }

    func status(_ session: AMISession, _ action: AMIMessage) {
        let wanted = action["Channel"].flatMap { $0.isEmpty ? nil : $0 }
        let listed: [SimChannel]
        if let wanted {
            guard let channel = channel(named: wanted) else {
                respondError(session, to: action, "No such channel")
                return
            }
            listed = [channel]
        } else {
            listed = channels
        }
        startList(session, action, "Channel status will follow")
        let now = ContinuousClock.now
        for channel in listed {
            let type = String(channel.name.prefix { $0 != "/" })
            sendListEvent(withTrailingActionID(
                [("Event", "Status"), ("Privilege", "Call")] + channel.fields()
                    + [("Type", type), ("DNID", ""), ("EffectiveConnectedLineNum", channel.connectedNum),
                       ("EffectiveConnectedLineName", channel.connectedName), ("TimeToHangup", "0"),
                       ("BridgeID", channel.bridgeID), ("Application", channel.application),
                       ("Data", channel.applicationData), ("Nativeformats", "(slin)"), ("Readformat", "slin"),
                       ("Readtrans", ""), ("Writeformat", "slin"), ("Writetrans", ""), ("Callgroup", "0"),
                       ("Pickupgroup", "0"), ("Seconds", String(channel.createdAt.duration(to: now).components.seconds))],
                action), to: session)
        }
        completeList(session, action, "StatusComplete", count: listed.count, extra: [("Items", String(listed.count))])
    }

    /// `00:00:04`.
    static func clock(_ duration: Duration) -> String {
        let total = Int(duration.components.seconds)
        return String(format: "%02d:%02d:%02d", total / 3600, (total / 60) % 60, total % 60)
    }
}
