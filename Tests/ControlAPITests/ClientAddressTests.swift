import SystemSupport
import Testing

import ControlPort
@testable import ControlAPI
@testable import Crypt
@testable import HTTPServing
@testable import HTTPWire

/// `X-Forwarded-For` is believed only from a trusted proxy, and only as far as the proxies we
/// trust wrote it: from the right.
@Suite struct ClientAddressTests {
    static let proxies = ["127.0.0.1", "10.0.0.0/8", "fd00::/8"].compactMap { try? IPNetwork.parse($0).get() }

    func client(peer: String, _ header: [String], trusted: [IPNetwork] = proxies) -> ClientAddress {
        var headers = HTTPHeaders()
        for value in header { headers.add(name: "X-Forwarded-For", value: value) }
        let context = RequestContext(peer: peer, connectionID: 1)
        return ClientAddress(context: context, forwardedFor: headers.listElements(name: "X-Forwarded-For"), trusted: trusted)
    }

    @Test func anUntrustedPeerIsItselfWhateverItSays() {
        #expect(client(peer: "198.51.100.7", ["203.0.113.1"]) == ClientAddress(address: "198.51.100.7"))
        #expect(client(peer: "127.0.0.1", ["203.0.113.1"], trusted: []) == ClientAddress(address: "127.0.0.1"))
        #expect(client(peer: "127.0.0.1", ["203.0.113.1"], trusted: []).source == "api:127.0.0.1")
    }

    @Test func aTrustedProxyNamesTheClient() {
        let found = client(peer: "127.0.0.1", ["203.0.113.1"])
        #expect(found == ClientAddress(address: "203.0.113.1", via: "127.0.0.1"))
        #expect(found.source == "api:203.0.113.1 via 127.0.0.1")
    }

    @Test func theRightmostHopThatIsNotATrustedProxyIsTheClient() {
        // What the client wrote itself (198.51.100.66, a forged 10.0.0.9) is left of what our proxies appended.
        #expect(client(peer: "127.0.0.1", ["198.51.100.66, 10.0.0.9", "203.0.113.1, 10.1.2.3"]).address == "203.0.113.1")
        #expect(client(peer: "10.0.0.5", ["198.51.100.66,203.0.113.1,   10.1.2.3 "]).address == "203.0.113.1")
    }

    @Test func onlyProxiesAllTheWayIsTheLeftmost() {
        #expect(client(peer: "127.0.0.1", ["10.0.0.1, 10.0.0.2"]) == ClientAddress(address: "10.0.0.1", via: "127.0.0.1"))
    }

    @Test func noHeaderOrAnUnreadableHopStopsAtTheLastReadableOne() {
        #expect(client(peer: "127.0.0.1", []) == ClientAddress(address: "127.0.0.1"))
        #expect(client(peer: "127.0.0.1", ["unknown"]) == ClientAddress(address: "127.0.0.1"))
        #expect(client(peer: "127.0.0.1", ["203.0.113.1, evil.example, 10.0.0.1"]) == ClientAddress(address: "10.0.0.1", via: "127.0.0.1"))
    }

    @Test func portsBracketsIPv6AndMappedPeers() {
        #expect(client(peer: "127.0.0.1", ["203.0.113.1:51234"]).address == "203.0.113.1")
        #expect(client(peer: "127.0.0.1", ["[2001:db8::1]:443"]).address == "2001:db8::1")
        #expect(client(peer: "127.0.0.1", ["2001:0db8:0:0::1"]).address == "2001:db8::1")
        #expect(client(peer: "fd00::1", ["2001:db8::7"]).address == "2001:db8::7")
        // A dual-stack listener reports IPv4 peers mapped into IPv6.
        #expect(client(peer: "::ffff:127.0.0.1", ["203.0.113.1"]).address == "203.0.113.1")
    }

    @Test func theSocketIsLocal() {
        #expect(client(peer: "unix", ["203.0.113.1"]) == ClientAddress(address: "local"))
        #expect(client(peer: "unix", []).source == "api:local")
    }
}
