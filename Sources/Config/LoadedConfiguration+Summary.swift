import AgentCore
import SystemSupport

extension LoadedConfiguration {
    /// What `ccagentd check-config` prints for a good file: counts an admin can check at a glance.
    /// Admin tokens by name only, never their secrets. Names from the file are printed with their
    /// control characters escaped.
    public var summaryLines: [String] {
        let custom = core.statuses.keys.filter { !$0.isBuiltIn }.sorted()
        let virtual = core.extensions.values.filter(\.isVirtual).count
        let agents = core.users.values.filter(\.isAgent)
        let remote = agents.filter { $0.virtualExtension != nil }.count
        let supervisors = core.users.values.filter { $0.role >= .supervisor }.count
        func list<T: CustomStringConvertible>(_ items: [T]) -> String { items.isEmpty ? "" : ": " + items.map(\.description).joined(separator: ", ") }
        return [
            "statuses:   \(core.statuses.count) (\(StatusID.builtIns.count) built-in, \(custom.count) custom\(list(custom)))",
            "skills:     \(core.skills.count)\(list(core.skills.keys.sorted()))",
            "queues:     \(queues.count)\(list(queues.sorted()))",
            "extensions: \(core.extensions.count) (\((core.extensions.count - virtual).counted("phone")), \(virtual) virtual)",
            "users:      \(core.users.count) (\(agents.count.counted("agent")), \(remote) remote; \(supervisors.counted("supervisor")) or admin)",
            "groups:     \(groups.count)\(list(groups.sorted()))",
            "api:        \(api.listen)\(api.socket.map { ", socket \($0)" } ?? ""); \(api.adminTokens.count.counted("admin token"))"
                + list(api.adminTokens.map(\.name)),
        ].map(\.escapingControlCharacters)
    }
}
