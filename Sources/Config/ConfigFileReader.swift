import SystemSupport

#if canImport(Glibc)
import Glibc
#endif

/// Why a file could not be read, in words for the admin.
public struct FileReadFailure: Error, Sendable, Equatable {
    public var reason: String
    public init(reason: String) { self.reason = reason }
}

/// Where the reader gets file contents from: the disk in the daemon, a dictionary in tests.
public protocol ConfigFileReader: Sendable {
    func contents(of path: String) throws(FileReadFailure) -> [UInt8]
    /// The permission bits of a file (`0o640`), nil when unknown: secret files are checked with it.
    func permissions(of path: String) -> UInt32?
}

extension ConfigFileReader {
    public func permissions(of path: String) -> UInt32? { nil }
}

/// Reads files from the file system.
public struct DiskFileReader: ConfigFileReader {
    /// Config files larger than this are refused: an INI file for a call center is a few KiB.
    public var maximumSize: Int

    public init(maximumSize: Int = 16 << 20) { self.maximumSize = maximumSize }

    public func contents(of path: String) throws(FileReadFailure) -> [UInt8] {
        do {
            return try FileDescriptor.readFile(atPath: path, maximumSize: maximumSize)
        } catch {
            throw FileReadFailure(reason: error.description)
        }
    }

    /// Of the file itself, through symlinks (`stat(2)`, not `lstat`: a link's own bits are 0777).
    public func permissions(of path: String) -> UInt32? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return UInt32(info.st_mode) & 0o7777
    }
}

/// Files held in memory, keyed by path: for tests and for `check-config` of text on stdin.
public struct InMemoryFileReader: ConfigFileReader {
    public var files: [String: String]
    /// Permission bits of some of the files; the others have none known.
    public var modes: [String: UInt32]

    public init(_ files: [String: String], modes: [String: UInt32] = [:]) {
        self.files = files
        self.modes = modes
    }

    public func permissions(of path: String) -> UInt32? { modes[path] }

    public func contents(of path: String) throws(FileReadFailure) -> [UInt8] {
        guard let text = files[path] else { throw FileReadFailure(reason: "no such file") }
        return Array(text.utf8)
    }
}

/// Lexical path handling for `#include`: relative to the directory of the including file.
enum ConfigPath {
    static func resolve(_ path: String, relativeTo includingFile: String) -> String {
        if path.hasPrefix("/") { return normalize(path) }
        guard let slash = includingFile.lastIndex(of: "/") else { return normalize(path) }
        return normalize(String(includingFile[...slash]) + path)
    }

    /// Removes `.` components, empty components and `dir/..` pairs, without touching the disk.
    static func normalize(_ path: String) -> String {
        let absolute = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
                continue
            }
            if part == "..", absolute { continue }
            parts.append(part)
        }
        let joined = parts.joined(separator: "/")
        if absolute { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }
}
