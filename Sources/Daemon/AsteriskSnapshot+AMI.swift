import ControlPort
import AMI
import AgentCore

extension AsteriskSnapshot {
    /// Asterisk's state from a `QueueStatus` list (`QueueParams`, `QueueMember`) and a
    /// `CoreShowChannels` list. Items without the fields that matter are skipped.
    init(queueStatus: [AMIMessage], channels: [AMIMessage]) {
        var members: [Member] = []
        var queues: Set<QueueName> = []
        for item in queueStatus {
            switch item["Event"] {
            case "QueueParams":
                if let queue = item["Queue"] { queues.insert(QueueName(queue)) }
            case "QueueMember":
                // Asterisk 22 names the member's interface `Location`; older ones `Interface`.
                guard let queue = item["Queue"], let interface = item["Location"] ?? item["Interface"] else { continue }
                members.append(
                    Member(
                        queue: QueueName(queue), interface: Interface(interface), penalty: Int(item["Penalty"] ?? "") ?? 0,
                        isDynamic: item["Membership"]?.lowercased() == "dynamic"))
            default:
                continue
            }
        }
        var live: [Channel] = []
        for item in channels where item["Event"] == "CoreShowChannel" {
            guard let uniqueID = item["Uniqueid"], let channel = item["Channel"] else { continue }
            // A channel Asterisk made towards a phone runs `AppDial` / `AppDial2` / `AppQueue`
            // (transcript 08); a phone that dialled runs its dialplan application.
            let application = item["Application"] ?? ""
            live.append(Channel(uniqueID: uniqueID, channel: channel, isIncoming: application.hasPrefix("App")))
        }
        self.init(members: members, channels: live, queues: queues)
    }
}

extension CallEvent {
    /// The call event an AMI event is, if any: `Newchannel`, `DialBegin` (its destination),
    /// `Newstate` to Ring of a chan_sip or DAHDI channel, and `Hangup`.
    init?(_ message: AMIMessage, event name: String) {
        switch name {
        case "Newstate":
            guard message.has("ChannelState", "4"), let uniqueID = message["Uniqueid"], let channel = message["Channel"],
                AgentStateMachine.waitsForRing(channel)
            else { return nil }
            self = .placed(uniqueID: uniqueID, channel: channel)
        case "Newchannel":
            guard let uniqueID = message["Uniqueid"], let channel = message["Channel"] else { return nil }
            self = .channelCreated(uniqueID: uniqueID, channel: channel, state: Int(message["ChannelState"] ?? "") ?? 0)
        case "DialBegin":
            guard let uniqueID = message["DestUniqueid"], let channel = message["DestChannel"] else { return nil }
            self = .dialed(uniqueID: uniqueID, channel: channel)
        case "Hangup":
            guard let uniqueID = message["Uniqueid"], let channel = message["Channel"] else { return nil }
            self = .hangup(uniqueID: uniqueID, channel: channel)
        default:
            return nil
        }
    }
}
