public import Foundation

/// The source tree the tests were built from.
public enum Repository {
    /// The repository's root directory (for `Config/`, the man pages), from this file's path:
    /// `Tests/TestSupport/Repository.swift`.
    public static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The path of `relative` (e.g. `Config/ccagentd.conf`) in the repository.
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}
