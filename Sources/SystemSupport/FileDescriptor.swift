#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor read with `read(2)` and written with `write(2)`, every call through `syscall`:
/// what the tools need of Foundation's `FileHandle` (the standard streams, reading a file whole).
public struct FileDescriptor: Sendable, Hashable {
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    public static let standardInput = FileDescriptor(rawValue: 0)
    public static let standardOutput = FileDescriptor(rawValue: 1)
    public static let standardError = FileDescriptor(rawValue: 2)

    /// Opens `path` read-only (and close-on-exec).
    public static func openForReading(_ path: String) throws(SystemCallError) -> FileDescriptor {
        FileDescriptor(rawValue: try syscall("open(\(path))") { open(path, O_RDONLY | O_CLOEXEC) })
    }

    /// Closes the descriptor; an error is of no use to the caller then (Linux frees it anyway).
    public func close() {
        _ = Glibc.close(rawValue)
    }

    /// Writes every byte, after partial writes and `EINTR`.
    public func writeAll(_ bytes: [UInt8]) throws(SystemCallError) {
        var offset = 0
        while offset < bytes.count {
            offset += try syscall("write") {
                bytes.withUnsafeBytes { raw in
                    let rest = UnsafeRawBufferPointer(rebasing: raw[offset...])
                    return Glibc.write(rawValue, rest.baseAddress, rest.count)
                }
            }
        }
    }

    /// Writes `text` for a person to read (a usage error, a report). A descriptor that will not
    /// take it (closed, a reader gone) gets nothing more: there is nowhere else to say so.
    public func write(_ text: String) {
        try? writeAll(Array(text.utf8))
    }

    /// Reads until the end of the file, but no more than `limit` bytes: the caller tells a file
    /// cut at `limit` from one that ended there by asking for one byte more than it accepts.
    public func read(upToCount limit: Int) throws(SystemCallError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: min(64 * 1024, max(limit, 0)))
        while bytes.count < limit {
            let wanted = min(chunk.count, limit - bytes.count)
            let count = try syscall("read") { chunk.withUnsafeMutableBytes { Glibc.read(rawValue, $0.baseAddress, wanted) } }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return bytes
    }
}

/// Why a file could not be read whole.
public enum FileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchFile
    case isDirectory
    case permissionDenied
    case tooLarge(limit: Int)
    case failed(SystemCallError)

    public var description: String {
        switch self {
        case .noSuchFile: "no such file"
        case .isDirectory: "is a directory"
        case .permissionDenied: "permission denied"
        case .tooLarge(let limit): "larger than \(limit) bytes"
        case .failed(let error): error.description
        }
    }
}

extension FileDescriptor {
    /// The contents of the file at `path` (through symlinks), refused when larger than `maximumSize`.
    public static func readFile(atPath path: String, maximumSize: Int) throws(FileReadError) -> [UInt8] {
        var info = stat()
        // As Foundation's `fileExists` did: a path that cannot be looked at is not there.
        guard stat(path, &info) == 0 else { throw .noSuchFile }
        if info.st_mode & S_IFMT == S_IFDIR { throw .isDirectory }
        let file: FileDescriptor
        do {
            file = try openForReading(path)
        } catch {
            throw error.code == EACCES || error.code == EPERM ? .permissionDenied : .failed(error)
        }
        defer { file.close() }
        let bytes: [UInt8]
        do {
            bytes = try file.read(upToCount: maximumSize + 1)
        } catch {
            throw .failed(error)
        }
        if bytes.count > maximumSize { throw .tooLarge(limit: maximumSize) }
        return bytes
    }
}
