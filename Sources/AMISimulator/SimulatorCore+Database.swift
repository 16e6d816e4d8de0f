import AMI

/// AstDB: `family/key` → value, with the replies of transcript 09.
extension SimulatorCore {
    func dbPut(_ session: AMISession, _ action: AMIMessage) {
        guard let family = action["Family"], !family.isEmpty else {
            respondError(session, to: action, "No family specified")
            return
        }
        guard let key = action["Key"], !key.isEmpty else {
            respondError(session, to: action, "No key specified")
            return
        }
        database["\(family)/\(key)"] = action["Val"] ?? ""
        respondSuccess(session, to: action, "Updated database successfully")
    }

    func dbGet(_ session: AMISession, _ action: AMIMessage) {
        guard let family = action["Family"], !family.isEmpty else {
            respondError(session, to: action, "No family specified.")
            return
        }
        guard let key = action["Key"], !key.isEmpty else {
            respondError(session, to: action, "No key specified.")
            return
        }
        guard let value = database["\(family)/\(key)"] else {
            respondError(session, to: action, "Database entry not found")
            return
        }
        startList(session, action, "Result will follow")
        sendListEvent(withTrailingActionID(
            [("Event", "DBGetResponse"), ("Family", family), ("Key", key), ("Val", value)], action), to: session)
        completeList(session, action, "DBGetComplete", count: 1)
    }

    func dbGetTree(_ session: AMISession, _ action: AMIMessage) {
        let prefix = treePrefix(action)
        let keys = database.keys.filter { prefix.isEmpty || $0 == prefix.dropLastSlash || $0.hasPrefix(prefix) }.sorted()
        guard !keys.isEmpty else {
            respondError(session, to: action, "Database entry not found")
            return
        }
        startList(session, action, "Result will follow")
        for key in keys {
            sendListEvent(withTrailingActionID(
                [("Event", "DBGetTreeResponse"), ("Key", "/" + key), ("Val", database[key] ?? "")], action),
                to: session)
        }
        completeList(session, action, "DBGetTreeComplete", count: keys.count)
    }

    func dbDel(_ session: AMISession, _ action: AMIMessage) {
        guard let family = action["Family"], !family.isEmpty else {
            respondError(session, to: action, "No family specified.")
            return
        }
        guard let key = action["Key"], !key.isEmpty else {
            respondError(session, to: action, "No key specified.")
            return
        }
        guard database.removeValue(forKey: "\(family)/\(key)") != nil else {
            respondError(session, to: action, "Database entry could not be deleted")
            return
        }
        respondSuccess(session, to: action, "Key deleted successfully")
    }

    func dbDelTree(_ session: AMISession, _ action: AMIMessage) {
        guard let family = action["Family"], !family.isEmpty else {
            respondError(session, to: action, "No family specified.")
            return
        }
        let prefix = treePrefix(action)
        let keys = database.keys.filter { $0 == prefix.dropLastSlash || $0.hasPrefix(prefix) }
        guard !keys.isEmpty else {
            respondError(session, to: action, "Database entry not found")
            return
        }
        for key in keys { database[key] = nil }
        respondSuccess(session, to: action, "Key tree deleted successfully")
    }

    /// `family/` or `family/key/`: what a tree's keys start with.
    private func treePrefix(_ action: AMIMessage) -> String {
        guard let family = action["Family"], !family.isEmpty else { return "" }
        if let key = action["Key"], !key.isEmpty { return "\(family)/\(key)/" }
        return "\(family)/"
    }
}

extension String {
    fileprivate var dropLastSlash: String { hasSuffix("/") ? String(dropLast()) : self }
}
