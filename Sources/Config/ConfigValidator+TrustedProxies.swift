import SystemSupport

extension ConfigValidator {
    /// `trusted_proxies = 127.0.0.1, 10.0.0.0/8, ::1`: the reverse proxies whose
    /// `X-Forwarded-For` the API believes. Addresses only: a host name would have to be resolved,
    /// and a proxy's address must not change under the daemon.
    mutating func trustedProxies(_ section: INISection) -> [IPNetwork] {
        var networks: [IPNetwork] = []
        for (item, entry) in list(section, "trusted_proxies") {
            switch IPNetwork.parse(item) {
            case .success(let network):
                if !networks.contains(network) { networks.append(network) }
            case .failure(let problem):
                errors.append(error(.invalidValue(item, expected: Self.expected(problem)), section, entry))
            }
        }
        return networks
    }

    private static func expected(_ problem: IPNetwork.ParseError) -> String {
        switch problem {
        case .notAnAddress:
            "an IPv4 or IPv6 address (127.0.0.1, ::1) or a network in CIDR form (10.0.0.0/8, fd00::/8); host names are not resolved"
        case .badPrefix(let maximum):
            "a network with a prefix from 0 to \(maximum) bits, e.g. \(maximum == 32 ? "10.0.0.0/8" : "fd00::/8")"
        case .hostBitsSet(let network):
            "a network: it has bits set after its prefix; did you mean \(network)?"
        }
    }
}
