import Foundation

/// Reads the recorded Asterisk 22 transcripts copied from `../shared/ami-transcripts/`.
enum Fixture {
    static var directory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    /// Scenario names, e.g. `06-inbound-call-queue`.
    static var scenarios: [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return files.filter { $0.hasSuffix(".recv.txt") }.map { String($0.dropLast(".recv.txt".count)) }.sorted()
    }
}
