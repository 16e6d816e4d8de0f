import Testing

@testable import Config

/// `ccagentd check-config`'s summary counts, with nouns that agree: one of each, then two.
@Suite struct SummaryTests {
    /// `count` phones, agents at them, and supervisors.
    static func people(_ count: Int) -> String {
        (1...count).map { n in
            """
            [10\(n)]
            type = extension
            interface = PJSIP/10\(n)
            [agent\(n)@example.com]
            type = user
            extension = 10\(n)
            [boss\(n)@example.com]
            type = user
            role = supervisor
            ccuser = no

            """
        }.joined()
    }

    @Test func oneOfEachIsSingular() throws {
        let summary = try #require(loaded(Self.people(1))).summaryLines
        #expect(summary.contains("extensions: 1 (1 phone, 0 virtual)"))
        #expect(summary.contains("users:      2 (1 agent, 0 remote; 1 supervisor or admin)"))
        #expect(summary.last == "api:        127.0.0.1:8088; 0 admin tokens")
    }

    @Test func twoOfEachArePlural() throws {
        let summary = try #require(loaded(Self.people(2))).summaryLines
        #expect(summary.contains("extensions: 2 (2 phones, 0 virtual)"))
        #expect(summary.contains("users:      4 (2 agents, 0 remote; 2 supervisors or admin)"))
    }
}
