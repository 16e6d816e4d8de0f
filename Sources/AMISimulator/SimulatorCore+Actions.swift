import AMI
import Foundation
import SystemSupport

extension SimulatorCore {
    /// The write classes an action needs (any one of them), as in Asterisk's manager.c / app_queue.c.
    static let requiredWriteClasses: [String: EventClass] = [
        "queueadd": .agent, "queueremove": .agent, "queuepause": .agent, "queuepenalty": .agent,
        "dbput": .system, "dbdel": .system, "dbdeltree": .system, "dbget": [.system, .reporting],
        "dbgettree": [.system, .reporting], "originate": .originate, "hangup": [.system, .call],
        "redirect": .call, "coreshowchannels": [.system, .reporting], "status": [.system, .call, .reporting],
        "command": .command, "userevent": .user, "filter": .system,
    ]

    static let knownActions: Set<String> = [
        "login", "logoff", "challenge", "ping", "events", "filter", "queueadd", "queueremove", "queuepause",
        "queuepenalty", "queuestatus", "queuesummary", "dbput", "dbget", "dbdel", "dbdeltree", "dbgettree",
        "originate", "hangup", "redirect", "coreshowchannels", "status", "command", "userevent",
    ]

    func receive(_ action: AMIMessage, from session: AMISession) {
        let record = ReceivedAction(at: .now, action: action)
        if received.count < Self.maximumRecordedActions { received.append(record) }
        actionObserver?(record)

        guard let name = action["Action"], !name.isEmpty else {
            respondError(session, to: action, "Missing action in request")
            reportBadFormat(session, requestType: "NONE")
            return
        }
        let key = name.lowercased()
        if !session.authenticated && !["login", "challenge", "logoff"].contains(key) {
            respondError(session, to: action, "Permission denied")
            return
        }
        guard Self.knownActions.contains(key) else {
            respondError(
                session, to: action,
                "Invalid/unknown command: \(name). Use Action: ListCommands to show available commands.")
            reportBadFormat(session, requestType: name)
            return
        }
        if let required = Self.requiredWriteClasses[key], let user = session.user, user.write.isDisjoint(with: required) {
            respondError(session, to: action, "Permission denied")
            return
        }
        if var queued = failures[key], let first = queued.first {
            queued[0].remaining -= 1
            if queued[0].remaining <= 0 { queued.removeFirst() }
            failures[key] = queued.isEmpty ? nil : queued
            respondError(session, to: action, first.message)
            return
        }
        switch key {
        case "login": login(session, action)
        case "logoff":
            respond(session, to: action, "Goodbye", [("Message", "Thanks for all the fish.")])
            closeAfterOutput(session)
        case "challenge": challenge(session, action)
        case "ping":
            respond(session, to: action, "Success", [("Ping", "Pong"), ("Timestamp", Self.timestamp())])
        case "events": events(session, action)
        case "filter": filter(session, action)
        case "queueadd": queueAdd(session, action)
        case "queueremove": queueRemove(session, action)
        case "queuepause": queuePause(session, action)
        case "queuepenalty": queuePenalty(session, action)
        case "queuestatus": queueStatus(session, action)
        case "queuesummary": queueSummary(session, action)
        case "dbput": dbPut(session, action)
        case "dbget": dbGet(session, action)
        case "dbdel": dbDel(session, action)
        case "dbdeltree": dbDelTree(session, action)
        case "dbgettree": dbGetTree(session, action)
        case "originate": originate(session, action)
        case "hangup": hangupAction(session, action)
        case "redirect": redirect(session, action)
        case "coreshowchannels": coreShowChannels(session, action)
        case "status": status(session, action)
        case "command": command(session, action)
        case "userevent": userEvent(session, action)
        default: respondError(session, to: action, "Invalid/unknown command: \(name).")
        }
    }

    // MARK: Session actions

    private func login(_ session: AMISession, _ action: AMIMessage) {
        if session.authenticated {
            respondSuccess(session, to: action, "Already authenticated")
            return
        }
        let username = action["Username"] ?? ""
        var accepted: SimulatorConfiguration.User?
        if let user = configuration.user(named: username) {
            if action["AuthType"]?.lowercased() == "md5" {
                if let challenge = session.challenge, let key = action["Key"],
                    MD5.hex(challenge + user.secret) == key.lowercased()
                {
                    accepted = user
                }
            } else if action["Secret"] == user.secret {
                accepted = user
            }
        }
        guard let user = accepted else {
            // Asterisk answers a bad login after a pause and then hangs up; read nothing meanwhile.
            logger.notice("amisim.login_failed", [("session", .int(session.id)), ("username", .string(username))])
            session.closing = true
            updateInterest(session)
            let fd = session.fd
            loop.schedule(after: configuration.authFailureDelay) { [unowned self] in
                guard let session = self.sessions[fd] else { return }
                self.respondError(session, to: action, "Authentication failed")
                self.closeAfterOutput(session)
            }
            return
        }
        session.user = user
        if let mask = action["Events"] { session.eventMask = EventClass(eventMask: mask) }
        respondSuccess(session, to: action, "Authentication accepted")
        let uptime = String(uptimeSeconds)
        sendEvent(
            "FullyBooted", .system, [("Uptime", uptime), ("LastReload", uptime), ("Status", "Fully Booted")],
            to: session)
        let now = Self.eventTime(Date())
        emit(
            "SuccessfulAuth", .security,
            [("EventTV", now), ("Severity", "Informational"), ("Service", "AMI"), ("EventVersion", "1"),
             ("AccountID", user.username), ("SessionID", session.sessionID), ("LocalAddress", session.localAddress),
             ("RemoteAddress", session.remoteAddress), ("UsingPassword", "0"),
             ("SessionTV", Self.eventTime(session.connectedAt))])
        logger.info("amisim.login", [("session", .int(session.id)), ("username", .string(username))])
    }

    private func challenge(_ session: AMISession, _ action: AMIMessage) {
        guard action["AuthType"]?.lowercased() == "md5" else {
            respondError(session, to: action, "Must specify AuthType")
            return
        }
        let nonce = session.challenge ?? String(UInt32.random(in: 100_000_000...999_999_999))
        session.challenge = nonce
        respond(session, to: action, "Success", [("Challenge", nonce)])
    }

    private func events(_ session: AMISession, _ action: AMIMessage) {
        let mask = EventClass(eventMask: action["EventMask"] ?? "")
        session.eventMask = mask
        respond(session, to: action, "Success", [("Events", mask.isEmpty ? "Off" : "On")])
    }

    private func filter(_ session: AMISession, _ action: AMIMessage) {
        guard (action["Operation"] ?? "Add").lowercased() == "add" else {
            respondError(session, to: action, "Unknown operation")
            return
        }
        guard let pattern = action["Filter"], !pattern.hasPrefix("!"),
            let expression = try? NSRegularExpression(pattern: pattern)
        else {
            respondError(session, to: action, "Filter did not compile.  Check the syntax of the filter given.")
            return
        }
        session.filters.append(expression)
        respondSuccess(session, to: action, "Success")
    }

    private func userEvent(_ session: AMISession, _ action: AMIMessage) {
        guard let name = action["UserEvent"] else {
            respondError(session, to: action, "Missing UserEvent")
            return
        }
        let body = action.headers.filter {
            $0.key.lowercased() != "action" && $0.key.lowercased() != "userevent"
        }.map { ($0.key, $0.value) }
        respondSuccess(session, to: action, "Event Sent")
        emit("UserEvent", .user, [("UserEvent", name)] + body)
    }

    private func reportBadFormat(_ session: AMISession, requestType: String) {
        emit(
            "RequestBadFormat", .security,
            [("EventTV", Self.eventTime(Date())), ("Severity", "Error"), ("Service", "AMI"), ("EventVersion", "1"),
             ("SessionID", session.sessionID), ("LocalAddress", session.localAddress),
             ("RemoteAddress", session.remoteAddress), ("RequestType", "Action: \(requestType)"),
             ("SessionTV", Self.eventTime(session.connectedAt)), ("AccountID", session.user?.username ?? "")])
    }

    // MARK: Time formats

    /// `1795289114.324585`, as `Ping` shows it.
    static func timestamp() -> String {
        let now = Date().timeIntervalSince1970
        let seconds = Int(now)
        let micros = Int((now - Double(seconds)) * 1_000_000)
        let fraction = String(micros)
        return "\(seconds).\(String(repeating: "0", count: max(0, 6 - fraction.count)))\(fraction)"
    }

    /// `2026-11-21T19:25:13.823+0000`, as security events show it.
    static func eventTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSSZ"
        return formatter.string(from: date)
    }
}
