import Foundation

/// The executables SwiftPM built beside the test bundle. A test target that runs one declares it
/// as a dependency in Package.swift, so `swift build --build-tests` builds it first.
public enum BuiltExecutable {
    /// The path of `name` in the build products directory; an error that says how to build it.
    public static func path(_ name: String) throws -> String {
        let bundle = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = bundle.deletingLastPathComponent()
        // Linux: <build>/ccagentdPackageTests.xctest is a file beside the executables; a bundle
        // (macOS) sits a few levels deeper.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate)
            {
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        throw TestSupportError("\(name) not found near \(bundle.path); build with `swift build --build-tests`")
    }
}
