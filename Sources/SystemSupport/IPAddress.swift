#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, as its 4 or 16 bytes. An IPv4-mapped IPv6 address
/// (`::ffff:192.0.2.1`) is taken as the IPv4 address it carries: a dual-stack listener reports
/// IPv4 peers that way, and `127.0.0.1` must match them.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    public var isIPv4: Bool { bytes.count == 4 }

    /// A literal address (`192.0.2.1`, `2001:db8::1`); nil for anything else, host names included.
    public init?(parsing text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let all = withUnsafeBytes(of: &v6) { Array($0) }
        let mapped = all[0..<10].allSatisfy { $0 == 0 } && all[10] == 0xFF && all[11] == 0xFF
        bytes = mapped ? Array(all[12..<16]) : all
    }

    /// The canonical text (`inet_ntop`): `2001:db8::1`, never `2001:0db8:0:0::1`.
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        var raw = bytes
        _ = inet_ntop(isIPv4 ? AF_INET : AF_INET6, &raw, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A block of addresses in CIDR form (`10.0.0.0/8`, `fd00::/8`); a bare address is a block of one.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    public enum ParseError: Error, Sendable, Equatable {
        /// Neither an address nor `address/prefix`.
        case notAnAddress
        /// The prefix is not a whole number from 0 to `maximum`.
        case badPrefix(maximum: Int)
        /// Bits set after the prefix (`10.0.0.1/8`): probably a typo; `network` is what it would mean.
        case hostBitsSet(network: String)
    }

    public static func parse(_ text: String) -> Result<IPNetwork, ParseError> {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        // Mapped IPv4 with a prefix would need the prefix shifted; nobody writes it.
        guard let address = IPAddress(parsing: String(parts[0])), !(parts.count == 2 && parts[0].hasPrefix("::ffff:")) else {
            return .failure(.notAnAddress)
        }
        let maximum = address.bytes.count * 8
        guard parts.count == 2 else { return .success(IPNetwork(address: address, prefixLength: maximum)) }
        guard !parts[1].isEmpty, parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }), parts[1].count <= 3, let length = Int(parts[1]),
            length <= maximum
        else { return .failure(.badPrefix(maximum: maximum)) }
        let network = IPNetwork(address: address, prefixLength: length)
        let masked = network.masked(address)
        guard masked == address.bytes else {
            return .failure(.hostBitsSet(network: "\(IPAddress(bytes: masked))/\(length)"))
        }
        return .success(network)
    }

    public func contains(_ other: IPAddress) -> Bool {
        other.bytes.count == address.bytes.count && masked(other) == address.bytes
    }

    public var description: String {
        prefixLength == address.bytes.count * 8 ? address.description : "\(address)/\(prefixLength)"
    }

    /// The bytes of `other` with every bit after the prefix cleared.
    private func masked(_ other: IPAddress) -> [UInt8] {
        other.bytes.enumerated().map { index, byte in
            let kept = min(8, max(0, prefixLength - index * 8))
            return kept == 0 ? 0 : byte & ~UInt8(0xFF >> kept)
        }
    }
}

extension IPAddress {
    fileprivate init(bytes: [UInt8]) { self.bytes = bytes }
}
