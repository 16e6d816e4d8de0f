import Foundation
import Synchronization
import Testing
import TestSupport

@testable import Config

/// `#include` is bounded: at most 16 levels deep and 256 files read per load (a file read twice
/// counts twice), so a long chain cannot exhaust the stack and a fan-out cannot make 2^n reads.
@Suite("#include limits", .timeLimit(.minutes(2)))
struct IncludeLimitTests {
    /// `main.conf` includes `f1.conf`, which includes `f2.conf`, … down to `f<depth>.conf`.
    static func chain(_ depth: Int) -> [String: String] {
        var files = ["main.conf": "[a]\n#include f1.conf\n"]
        for level in 1...depth {
            files["f\(level).conf"] = level == depth ? "last = yes\n" : "x\(level) = 1\n#include f\(level + 1).conf\n"
        }
        return files
    }

    /// `main.conf` and `f1.conf` … `f<count - 1>.conf`, each including the next twice.
    static func doubleFanOut(_ count: Int) -> [String: String] {
        var files: [String: String] = [:]
        for index in 0..<count {
            let name = index == 0 ? "main.conf" : "f\(index).conf"
            files[name] = index == count - 1 ? "x = 1\n" : (index == 0 ? "[a]\n" : "") + "#include f\(index + 1).conf\n#include f\(index + 1).conf\n"
        }
        return files
    }

    func read(_ files: [String: String], reader: INIReader? = nil) -> (document: INIDocument, errors: [String]) {
        let reader = reader ?? INIReader(fileReader: InMemoryFileReader(files))
        let (document, errors) = reader.read(path: "main.conf")
        return (document, errors.map(\.description))
    }

    @Test func sixteenLevelsAreRead() {
        let (document, errors) = read(Self.chain(16))
        #expect(errors == [])
        #expect(document.sections.first?.last("last")?.value == "yes")
        #expect(document.files.count == 17)
    }

    @Test func theSeventeenthLevelIsRefusedAtTheIncludeThatWentTooFar() {
        let (document, errors) = read(Self.chain(17))
        #expect(errors == [#"f16.conf:2: #include of "f17.conf" would nest 17 deep; at most 16 levels of #include are read"#])
        #expect(document.sections.first?.last("x16")?.value == "1")
        #expect(document.sections.first?.last("last") == nil)
    }

    @Test func aChainTwoThousandFilesDeepIsAnErrorNotACrash() {
        let (_, errors) = read(Self.chain(2000))
        #expect(errors == [#"f16.conf:2: #include of "f17.conf" would nest 17 deep; at most 16 levels of #include are read"#])
    }

    @Test func aDoubleFanOutIsStoppedByTheFileCountQuickly() {
        let reads = CountingReader(InMemoryFileReader(Self.doubleFanOut(10)))  // 1,023 reads unbounded, 9 deep
        let started = ContinuousClock.now
        let (_, errors) = read([:], reader: INIReader(fileReader: reads))
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(reads.count == 256)
        #expect(errors.count == 1)
        #expect(errors.first?.hasSuffix(#"would read a 257th file; at most 256 files are read per load, a file included twice counting twice"#) == true, "\(errors)")
    }

    /// The case of the report: 18 files each including the next twice took 5.8 s (2^18 reads).
    @Test func eighteenFilesIncludingTheNextTwiceAreRefusedQuickly() {
        let reads = CountingReader(InMemoryFileReader(Self.doubleFanOut(18)))
        let started = ContinuousClock.now
        let (_, errors) = read([:], reader: INIReader(fileReader: reads))
        #expect(ContinuousClock.now - started < .seconds(1))
        #expect(reads.count <= 256)
        // Too deep (f16 → f17, both of its lines) and, on the way, too many files: each said once.
        for line in [1, 2] {
            #expect(errors.contains(#"f16.conf:\#(line): #include of "f17.conf" would nest 17 deep; at most 16 levels of #include are read"#), "\(errors)")
        }
        #expect(errors.contains { $0.hasSuffix("would read a 257th file; at most 256 files are read per load, a file included twice counting twice") }, "\(errors)")
        #expect(errors.count == 3, "\(errors)")
    }

    @Test func theSameFileMayBeIncludedTwiceAndCountsEachTime() {
        let files = ["main.conf": "[a]\n#include common.conf\n[b]\n#include common.conf\n", "common.conf": "x = 1\n"]
        let (document, errors) = read(files)
        #expect(errors == [])
        #expect(document.sections.map { $0.last("x")?.value } == ["1", "1"])
        #expect(document.files == ["main.conf", "common.conf"])
        let limited = INIReader(fileReader: InMemoryFileReader(files), maximumFiles: 2)
        #expect(read(files, reader: limited).errors == [
            #"main.conf:4: #include of "common.conf" would read a 3rd file; at most 2 files are read per load, a file included twice counting twice"#
        ])
    }

    @Test func aLoopIsStillALoopWhateverTheDepth() {
        var files = Self.chain(5)
        files["f5.conf"] = "#include f2.conf\n"
        #expect(read(files).errors == ["f5.conf:1: #include loop: main.conf → f1.conf → f2.conf → f3.conf → f4.conf → f5.conf → f2.conf"])
    }

    @Test func checkConfigOfATwoThousandDeepChainOnDiskSaysWhy() throws {
        let directory = try TemporaryDirectory(prefix: "ccagentd-deep")
        var files = Self.chain(2000)
        files["main.conf"] = baseConfig + "[a]\ntype = skill\nqueues = a\n#include f1.conf\n"
        for (name, text) in files { try directory.write(text, to: name) }
        let main = directory.file("main.conf")
        let result = try CheckConfigCommandTests().run(["check-config", main])
        #expect(result.status == 1)
        #expect(result.stderr.contains(
            "\(directory.path)/f16.conf:2: #include of \"\(directory.path)/f17.conf\" would nest 17 deep; at most 16 levels of #include are read\n"),
            "\(result.stderr)")
    }
}

/// Counts the files read through it.
final class CountingReader: ConfigFileReader {
    let inner: InMemoryFileReader
    private let reads = Mutex(0)

    init(_ inner: InMemoryFileReader) { self.inner = inner }

    var count: Int { reads.withLock { $0 } }

    func contents(of path: String) throws(FileReadFailure) -> [UInt8] {
        reads.withLock { $0 += 1 }
        return try inner.contents(of: path)
    }
}
