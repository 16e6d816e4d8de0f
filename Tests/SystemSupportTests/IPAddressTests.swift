import SystemSupport
import Testing

@Suite struct IPAddressTests {
    @Test func literalsAreReadAndWrittenCanonically() {
        #expect(IPAddress(parsing: "192.0.2.1")?.description == "192.0.2.1")
        #expect(IPAddress(parsing: "2001:0DB8:0000::0001")?.description == "2001:db8::1")
        #expect(IPAddress(parsing: "::ffff:192.0.2.1") == IPAddress(parsing: "192.0.2.1"))
        for bad in ["", "localhost", "192.0.2", "192.0.2.256", "1.2.3.4/8", " 192.0.2.1", "2001:db8::g"] {
            #expect(IPAddress(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func networksContainTheirAddresses() throws {
        let ten = try IPNetwork.parse("10.0.0.0/8").get()
        #expect(ten.contains(try #require(IPAddress(parsing: "10.255.1.2"))))
        #expect(!ten.contains(try #require(IPAddress(parsing: "11.0.0.1"))))
        #expect(!ten.contains(try #require(IPAddress(parsing: "::a00:1"))))
        let odd = try IPNetwork.parse("192.0.2.128/25").get()
        let (high, low) = (try #require(IPAddress(parsing: "192.0.2.200")), try #require(IPAddress(parsing: "192.0.2.127")))
        #expect(odd.contains(high) && !odd.contains(low))
        let one = try IPNetwork.parse("::1").get()
        let loopback = try #require(IPAddress(parsing: "0::1"))
        #expect(one.description == "::1" && one.contains(loopback))
        #expect(try IPNetwork.parse("0.0.0.0/0").get().contains(try #require(IPAddress(parsing: "203.0.113.9"))))
        #expect(try IPNetwork.parse("fd00::/8").get().description == "fd00::/8")
    }

    @Test func badNetworksSayWhy() {
        #expect(IPNetwork.parse("proxy.example") == .failure(.notAnAddress))
        #expect(IPNetwork.parse("10.0.0.0/33") == .failure(.badPrefix(maximum: 32)))
        #expect(IPNetwork.parse("10.0.0.0/") == .failure(.badPrefix(maximum: 32)))
        #expect(IPNetwork.parse("10.0.0.0/+8") == .failure(.badPrefix(maximum: 32)))
        #expect(IPNetwork.parse("fd00::/129") == .failure(.badPrefix(maximum: 128)))
        #expect(IPNetwork.parse("10.0.0.1/8") == .failure(.hostBitsSet(network: "10.0.0.0/8")))
        #expect(IPNetwork.parse("fd00::1/8") == .failure(.hostBitsSet(network: "fd00::/8")))
    }
}
