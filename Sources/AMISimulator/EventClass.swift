import Foundation

/// Asterisk's manager event classes (`read =` / `write =` in manager.conf, the `Privilege:` header,
/// the `Events` action's mask), as a bit set.
public struct EventClass: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let system = EventClass(rawValue: 1 << 0)
    public static let call = EventClass(rawValue: 1 << 1)
    public static let log = EventClass(rawValue: 1 << 2)
    public static let verbose = EventClass(rawValue: 1 << 3)
    public static let command = EventClass(rawValue: 1 << 4)
    public static let agent = EventClass(rawValue: 1 << 5)
    public static let user = EventClass(rawValue: 1 << 6)
    public static let config = EventClass(rawValue: 1 << 7)
    public static let dtmf = EventClass(rawValue: 1 << 8)
    public static let reporting = EventClass(rawValue: 1 << 9)
    public static let cdr = EventClass(rawValue: 1 << 10)
    public static let dialplan = EventClass(rawValue: 1 << 11)
    public static let originate = EventClass(rawValue: 1 << 12)
    public static let agi = EventClass(rawValue: 1 << 13)
    public static let cc = EventClass(rawValue: 1 << 14)
    public static let aoc = EventClass(rawValue: 1 << 15)
    public static let test = EventClass(rawValue: 1 << 16)
    public static let security = EventClass(rawValue: 1 << 17)
    public static let message = EventClass(rawValue: 1 << 18)
    public static let all = EventClass(rawValue: (1 << 19) - 1)

    static let names: [(String, EventClass)] = [
        ("system", .system), ("call", .call), ("log", .log), ("verbose", .verbose), ("command", .command),
        ("agent", .agent), ("user", .user), ("config", .config), ("dtmf", .dtmf), ("reporting", .reporting),
        ("cdr", .cdr), ("dialplan", .dialplan), ("originate", .originate), ("agi", .agi), ("cc", .cc),
        ("aoc", .aoc), ("test", .test), ("security", .security), ("message", .message),
    ]

    /// A manager.conf `read`/`write` list: `all`, `none`, or names separated by commas.
    /// Unknown names are ignored, as Asterisk does.
    public init(list: String) {
        var value: EventClass = []
        for raw in list.split(separator: ",") {
            let name = raw.trimmingCharacters(in: .whitespaces).lowercased()
            if name == "all" { value = .all; continue }
            if let found = Self.names.first(where: { $0.0 == name }) { value.insert(found.1) }
        }
        self = value
    }

    /// The `Events` action's `EventMask` (and the login `Events:` header): `on`/`off`/a number or a
    /// list of class names. Like Asterisk, any unknown word turns events off.
    public init(eventMask: String) {
        let text = eventMask.trimmingCharacters(in: .whitespaces).lowercased()
        switch text {
        case "on", "yes", "true", "all": self = .all
        case "off", "no", "false", "none", "": self = []
        default:
            if let number = UInt32(text) {
                self = EventClass(rawValue: number & EventClass.all.rawValue)
                return
            }
            var value: EventClass = []
            for raw in text.split(separator: ",") {
                let name = raw.trimmingCharacters(in: .whitespaces)
                guard let found = Self.names.first(where: { $0.0 == name }) else {
                    self = []
                    return
                }
                value.insert(found.1)
            }
            self = value
        }
    }

    /// The `Privilege:` header value of an event of this class: `call,all`.
    var privilege: String {
        let parts = Self.names.filter { contains($0.1) }.map(\.0)
        return (parts + ["all"]).joined(separator: ",")
    }
}
