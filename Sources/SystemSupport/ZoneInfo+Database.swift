#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FoundationEssentials

extension ZoneInfo {
    /// Where the compiled tz database is when `TZDIR` does not say (Debian's `tzdata` package).
    public static let defaultDatabaseDirectory = "/usr/share/zoneinfo"
    /// A TZif file is a few KiB; a larger one is not one.
    static let maximumFileSize = 1 << 20

    /// The local time zone of this process, read once: see `local(environment:)`.
    public static let current: ZoneInfo = local(environment: ProcessInfo.processInfo.environment)

    /// The zone `name` of the database, nil when there is none by that name (or the name is not
    /// one, or its file is unusable): for a name from a person or a request.
    public init?(identifier name: String) {
        self.init(identifier: name, environment: ProcessInfo.processInfo.environment)
    }

    /// As `init?(identifier:)`, with `TZDIR` taken from `environment`.
    public init?(identifier name: String, environment: [String: String]) {
        guard let zone = try? Self.named(name, environment: environment) else { return nil }
        self = zone
    }

    /// The zone `name` (`Asia/Jerusalem`, `UTC`, `Etc/GMT+5`) from the database in `TZDIR`, or
    /// `/usr/share/zoneinfo`. The name comes from outside (an HTTP query): it must look like a
    /// tz name before it comes near the file system.
    public static func named(_ name: String) throws(ZoneInfoError) -> ZoneInfo {
        try named(name, environment: ProcessInfo.processInfo.environment)
    }

    /// As `named(_:)`, with `TZDIR` taken from `environment`.
    public static func named(_ name: String, environment: [String: String]) throws(ZoneInfoError) -> ZoneInfo {
        guard isValidName(name) else { throw .invalidName(name) }
        return try load(path: databaseDirectory(environment: environment) + "/" + name, identifier: name, missing: .unknownZone(name))
    }

    /// `TZDIR` when set and absolute, as glibc and tzcode honour it; the default otherwise.
    public static func databaseDirectory(environment: [String: String]) -> String {
        guard let directory = environment["TZDIR"], directory.hasPrefix("/") else { return defaultDatabaseDirectory }
        return directory
    }

    /// True for the form of a tz name: up to 64 bytes of `/`-separated parts, each of ASCII
    /// letters, digits, `.`, `-`, `_` and `+` (`Etc/GMT+5`, `America/Port-au-Prince`), none empty
    /// and none starting with `.` or `-`. So no absolute path, no `..`, no hidden file.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard !bytes.isEmpty, bytes.count <= 64 else { return false }
        var partStart = true
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "/"):
                if partStart { return false }  // a leading `/` or an empty part
                partStart = true
                continue
            case UInt8(ascii: "."), UInt8(ascii: "-"):
                if partStart { return false }
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "+"):
                break
            default:
                return false
            }
            partStart = false
        }
        return !partStart  // not ending with `/`
    }

    /// The TZif file at `path`, named `identifier`.
    public static func load(path: String, identifier: String) throws(ZoneInfoError) -> ZoneInfo {
        try load(path: path, identifier: identifier, missing: nil)
    }

    private static func load(path: String, identifier: String, missing: ZoneInfoError?) throws(ZoneInfoError) -> ZoneInfo {
        let bytes: [UInt8]
        do {
            bytes = try FileDescriptor.readFile(atPath: path, maximumSize: maximumFileSize)
        } catch {
            // A name that is a directory (`America`) is no more a zone than one with no file.
            if let missing, error == .noSuchFile || error == .isDirectory { throw missing }
            throw .unreadable(path: path, error)
        }
        do {
            return try ZoneInfo(tzif: bytes, identifier: identifier)
        } catch {
            throw .malformed(path: path, reason: error.reason)
        }
    }

    // MARK: The local zone

    /// The process's local zone, as the C library finds it: `TZ` when set, else `/etc/localtime`,
    /// else UTC.
    ///
    /// - `TZ` empty: UTC.
    /// - `TZ=:Asia/Jerusalem` or `TZ=Asia/Jerusalem`: that zone of the database; `TZ=:/path` or
    ///   `TZ=/path`: that TZif file.
    /// - any other `TZ`: a POSIX rule (`IST-2IDT,M3.4.4/26,M10.5.0`), named by itself.
    /// - `TZ` unset: `/etc/localtime`, named by where its symbolic link points
    ///   (`/usr/share/zoneinfo/Asia/Jerusalem` is `Asia/Jerusalem`), else by `/etc/timezone`
    ///   (Debian's), else `localtime`.
    /// Whatever cannot be read or understood gives UTC, as glibc does.
    public static func local(environment: [String: String]) -> ZoneInfo {
        local(environment: environment, localtime: "/etc/localtime", timezoneFile: "/etc/timezone")
    }

    static func local(environment: [String: String], localtime: String, timezoneFile: String) -> ZoneInfo {
        guard var value = environment["TZ"] else {
            return (try? load(path: localtime, identifier: localName(localtime: localtime, timezoneFile: timezoneFile))) ?? .utc
        }
        if value.isEmpty { return .utc }
        let fileOnly = value.hasPrefix(":")
        if fileOnly { value.removeFirst() }
        if value.hasPrefix("/") { return (try? load(path: value, identifier: nameInDatabase(value) ?? value)) ?? .utc }
        if let zone = try? named(value, environment: environment) { return zone }
        if !fileOnly, let rule = POSIXTimeZoneRule(value) { return ZoneInfo(identifier: value, rule: rule) }
        return .utc
    }

    /// The name `/etc/localtime` goes by.
    private static func localName(localtime: String, timezoneFile: String) -> String {
        if let target = symbolicLinkTarget(localtime), let name = nameInDatabase(target) { return name }
        if let bytes = try? FileDescriptor.readFile(atPath: timezoneFile, maximumSize: 256) {
            let name = String(decoding: bytes, as: UTF8.self).trimmingTrailingNewlines
            if isValidName(name) { return name }
        }
        return "localtime"
    }

    /// `Asia/Jerusalem` for `/usr/share/zoneinfo/Asia/Jerusalem` or `../usr/share/zoneinfo/Asia/Jerusalem`.
    private static func nameInDatabase(_ path: String) -> String? {
        let bytes = Array(path.utf8)
        let marker = Array("zoneinfo/".utf8)
        guard bytes.count > marker.count,
            let at = (0...(bytes.count - marker.count)).last(where: { bytes[$0..<$0 + marker.count].elementsEqual(marker) })
        else { return nil }
        var name = String(decoding: bytes[(at + marker.count)...], as: UTF8.self)
        if name.hasPrefix("posix/") { name.removeFirst("posix/".count) }
        return isValidName(name) ? name : nil
    }

    private static func symbolicLinkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension String {
    fileprivate var trimmingTrailingNewlines: String {
        var text = self
        while text.last?.isNewline == true || text.last == " " { text.removeLast() }
        return text
    }
}
