import Testing
@testable import AMI

@Test func decodesTheLoginTranscript() throws {
    var decoder = AMIFrameDecoder()
    decoder.append(contentsOf: try Fixture.bytes("01-login-ping-logoff.recv.txt"))
    var frames: [AMIFrame] = []
    while let frame = try decoder.next() { frames.append(frame) }
    #expect(frames.first == .banner(version: "11.0.0"))
    guard case .message(let login) = frames[2] else { Issue.record("no message"); return }
    #expect(login["message"] == "Authentication accepted")
    #expect(login.kind == .response)
    #expect(frames.count == 14)
}
