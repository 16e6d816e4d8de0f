import Testing

@testable import AgentCore

/// Numbers in messages people read agree with their nouns.
@Suite struct CountedTests {
    @Test(arguments: [(0, "0 agents"), (1, "1 agent"), (2, "2 agents"), (-1, "-1 agents")])
    func countedAgrees(count: Int, expected: String) {
        #expect(count.counted("agent") == expected)
    }

    @Test func anIrregularPluralIsGiven() {
        #expect(1.counted("entry", plural: "entries") == "1 entry")
        #expect(3.counted("entry", plural: "entries") == "3 entries")
    }

    @Test func aFullStatusSaysHowManyItTakes() {
        #expect(CommandError.limitReached("lunch", limit: 1).description == "status lunch is full: at most 1 agent at once")
        #expect(CommandError.limitReached("break", limit: 3).description == "status break is full: at most 3 agents at once")
    }
}
