/// Why a time zone could not be had.
public enum ZoneInfoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not the form of a tz name (`Area/City`): empty, absolute, with `..`, odd characters, too long.
    case invalidName(String)
    /// A well-formed name with no zone in the database.
    case unknownZone(String)
    /// The zone's file exists but could not be read.
    case unreadable(path: String, FileReadError)
    /// The file is not a TZif file, or a damaged one: what is wrong with it.
    case malformed(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidName(let name): "\"\(name.prefix(64))\" is not a time zone name such as Asia/Jerusalem"
        case .unknownZone(let name): "no time zone \(name) in the tz database"
        case .unreadable(let path, let error): "cannot read \(path): \(error)"
        case .malformed(let path, let reason): "\(path) is not a usable TZif file: \(reason)"
        }
    }
}
