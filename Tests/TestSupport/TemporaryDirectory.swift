public import Foundation

/// A fresh directory for one test, removed with everything in it when the value goes away:
/// tests run in parallel and never share one.
public final class TemporaryDirectory: Sendable {
    public let path: String

    /// `prefix` names the directory (`/tmp/<prefix>-1a2b3c4d`), so a leftover says whose it is.
    public init(prefix: String = "ccagentd-test") throws {
        path = NSTemporaryDirectory() + prefix + "-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public var url: URL { URL(fileURLWithPath: path, isDirectory: true) }

    /// The path of `name` inside it.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to `name` inside it; its path.
    @discardableResult
    public func write(_ text: String, to name: String) throws -> String {
        let path = file(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
