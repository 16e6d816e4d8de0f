import Testing

@testable import Config

@Suite("Suggestions")
struct SuggestionTests {
    @Test(arguments: [
        ("brake", ["connected", "break", "paperwork"], "break"),
        ("timeout_gto", ["timeout", "timeout_goto"], "timeout_goto"),
        ("Timeout", ["timeout", "timeout_goto"], "timeout"),
        ("supprot", ["sales", "support"], "support"),
        ("extention", ["extension", "extensions"], "extension"),
        ("colour", ["color", "label"], "color"),
    ] as [(String, [String], String)])
    func suggestsTheClosestName(word: String, candidates: [String], expected: String) {
        #expect(Suggestion.closest(to: word, among: candidates) == expected)
    }

    @Test(arguments: [("xyz", ["break", "connected"]), ("lunch", ["break", "paperwork"]), ("ab", ["cd"])] as [(String, [String])])
    func saysNothingWhenNothingIsClose(word: String, candidates: [String]) {
        #expect(Suggestion.closest(to: word, among: candidates) == nil)
    }

    @Test func editDistance() {
        func d(_ a: String, _ b: String) -> Int { Suggestion.editDistance(Array(a), Array(b)) }
        #expect(d("", "abc") == 3)
        #expect(d("kitten", "sitting") == 3)
        #expect(d("ab", "ba") == 1)
        #expect(d("same", "same") == 0)
    }
}
