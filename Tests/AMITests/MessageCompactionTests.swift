import Testing
@testable import AMI

/// `compacted()`: what a kept message holds.
@Suite struct MessageCompactionTests {
    static let text =
        "Event: QueueMember\r\nQueue: sales\r\nMemberName: Dana Levi\r\nLocation: PJSIP/101\r\nStateInterface: PJSIP/101\r\n"
        + "Membership: dynamic\r\nPenalty: 2\r\nCallsTaken: 0\r\nLastCall: 0\r\nLastPause: 0\r\nInCall: 0\r\nStatus: 1\r\n"
        + "Paused: 0\r\nPausedReason: \r\nWrapuptime: 0\r\nChanVariable: A=1\r\nChanVariable: B=2\r\n\r\n"

    @Test func aDecodedMessageCarriesTheDecodersSpareCapacity() throws {
        let message = try #require(Decode.messages(Decode.whole(Array(Self.text.utf8), expectsBanner: false)).first)
        #expect(message.fields.count == 17)
        #expect(message.fields.capacity >= 32)
    }

    @Test func compactionKeepsEveryFieldInOrderAndOnlyTheirStorage() throws {
        // Three frames in one stream, all kept: each took a fresh scratch array from the decoder.
        let messages = Decode.messages(Decode.whole(Array(String(repeating: Self.text, count: 3).utf8), expectsBanner: false))
        try #require(messages.count == 3)
        for message in messages {
            let compact = message.compacted()
            #expect(compact == message)
            #expect(compact.headers.map(\.key) == message.headers.map(\.key))
            #expect(compact.headers.map(\.value) == message.headers.map(\.value))
            #expect(compact.values("ChanVariable") == ["A=1", "B=2"])
            #expect(compact["PausedReason"] == "")
            #expect(compact.wireBytes == message.wireBytes)
            #expect(compact.fields.capacity <= compact.fields.count + 1)
        }
    }

    @Test func aCompactMessageIsReturnedAsItIs() {
        let built = AMIMessage([("Event", "Hangup"), ("Uniqueid", "1.1")])
        #expect(built.compacted() == built)
        #expect(built.compacted().fields.capacity == built.fields.capacity)
    }
}
