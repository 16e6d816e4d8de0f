import AMI
import TestSupport

/// What the end-to-end tests do over AMI, as Asterisk's CLI and phones would.
extension AMITestClient {
    /// A `sim …` or CLI command; its output lines.
    func command(_ text: String, timeout: Duration = .seconds(10)) -> [String]? {
        guard let answer = request("Command", [("Command", text)], timeout: timeout), answer["Response"] == "Success" else {
            return nil
        }
        return answer.values("Output")
    }

    /// A phone feature code, as the dialplan's `UserEvent(ccagentd,…)` would send it.
    func featureCode(_ headers: [(String, String)], timeout: Duration = .seconds(10)) -> Bool {
        request("UserEvent", [("UserEvent", "ccagentd")] + headers, timeout: timeout)?["Response"] == "Success"
    }

    /// Every queue member amisim has (`QueueStatus`); nil on timeout or close.
    func members(timeout: Duration = .seconds(10)) -> [QueueMemberInfo]? {
        guard let messages = collect(send(action: "QueueStatus"), list: true, timeout: timeout),
            messages.first?["Response"] == "Success"
        else { return nil }
        return messages.filter { $0["Event"] == "QueueMember" }.map(QueueMemberInfo.init)
    }
}

/// A `QueueMember` event of `QueueStatus`.
struct QueueMemberInfo: Equatable, CustomStringConvertible {
    var queue: String
    var interface: String
    var name: String
    var stateInterface: String
    var dynamic: Bool
    var penalty: Int
    var loginTime: String

    init(_ message: AMIMessage) {
        queue = message["Queue"] ?? ""
        interface = message["Location"] ?? ""
        name = message["Name"] ?? ""
        stateInterface = message["StateInterface"] ?? ""
        dynamic = message["Membership"] == "dynamic"
        penalty = Int(message["Penalty"] ?? "") ?? -1
        loginTime = message["LoginTime"] ?? ""
    }

    var description: String { "\(queue):\(interface)\(dynamic ? "" : "(static)")/\(penalty)" }
}

extension [QueueMemberInfo] {
    /// The queues `interface` is a member of.
    func queues(of interface: String) -> Set<String> {
        Set(filter { $0.interface == interface }.map(\.queue))
    }

    func member(_ interface: String, in queue: String) -> QueueMemberInfo? {
        first { $0.interface == interface && $0.queue == queue }
    }
}
