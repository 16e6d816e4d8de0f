import SystemSupport
import Testing

@testable import Config

/// `[api] trusted_proxies`: addresses and networks whose `X-Forwarded-For` the API believes.
@Suite struct TrustedProxiesSettingsTests {
    let api = APISecuritySettingsTests()

    @Test func noneByDefault() throws {
        #expect(try #require(loaded("")?.api).trustedProxies.isEmpty)
    }

    @Test func aListOfAddressesAndNetworksOverSeveralLines() throws {
        let settings = try #require(api.settings(api: "trusted_proxies = 127.0.0.1, ::1\ntrusted_proxies = 10.0.0.0/8,fd00::/8, 127.0.0.1\n"))
        #expect(settings.trustedProxies.map(\.description) == ["127.0.0.1", "::1", "10.0.0.0/8", "fd00::/8"])
    }

    @Test(arguments: [
        ("proxy.example", "an IPv4 or IPv6 address (127.0.0.1, ::1) or a network in CIDR form (10.0.0.0/8, fd00::/8); host names are not resolved"),
        ("10.0.0.0/33", "a network with a prefix from 0 to 32 bits, e.g. 10.0.0.0/8"),
        ("fd00::/200", "a network with a prefix from 0 to 128 bits, e.g. fd00::/8"),
        ("10.1.2.3/8", "a network: it has bits set after its prefix; did you mean 10.0.0.0/8?"),
        ("127.0.0.1:8080", "an IPv4 or IPv6 address (127.0.0.1, ::1) or a network in CIDR form (10.0.0.0/8, fd00::/8); host names are not resolved"),
    ])
    func aBadItemIsNamedWithWhatWasExpected(item: String, expected: String) {
        let found = api.errors(api: "trusted_proxies = 127.0.0.1, \(item)\n")
        #expect(found == ["etc/ccagentd.conf:7: [api] trusted_proxies: \"\(item)\" is not \(expected)"])
    }
}
