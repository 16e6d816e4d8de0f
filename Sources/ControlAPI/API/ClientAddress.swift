import HTTPWire
import HTTPServing
import Crypt
import SystemSupport

/// Who is at the other end of a request: the peer, or, when the peer is a trusted reverse proxy,
/// the client its `X-Forwarded-For` names.
///
/// The header is a list each proxy appends its own peer to, so only its right end can be
/// believed: walking from the right, every hop that is itself a trusted proxy is skipped and the
/// first that is not is the client. What the client wrote itself is further left and never read.
struct ClientAddress: Sendable, Equatable {
    /// For the login limits: the client's address, or `local` on the Unix socket.
    var address: String
    /// The trusted proxy it came through, if any.
    var via: String?

    /// `api:ADDRESS` (`api:203.0.113.7 via 127.0.0.1` through a proxy), `api:local` on the socket:
    /// the source of logs and the audit.
    var source: String { "api:\(address)" + (via.map { " via \($0)" } ?? "") }

    init(address: String, via: String? = nil) {
        self.address = address
        self.via = via
    }

    /// `forwardedFor`: the elements of every `X-Forwarded-For` field, in order.
    init(context: RequestContext, forwardedFor: [Substring], trusted: [IPNetwork]) {
        guard !context.isLocalSocket else {
            self.init(address: "local")
            return
        }
        guard !trusted.isEmpty, let peer = IPAddress(parsing: context.peer), Self.isTrusted(peer, trusted) else {
            self.init(address: context.peer)
            return
        }
        var client = peer
        for hop in forwardedFor.reversed() {
            // A hop no proxy of ours would write: stop at the last one we could read.
            guard let address = Self.address(ofHop: hop) else { break }
            client = address
            if !Self.isTrusted(address, trusted) { break }
        }
        self.init(address: client == peer ? context.peer : client.description, via: client == peer ? nil : context.peer)
    }

    private static func isTrusted(_ address: IPAddress, _ trusted: [IPNetwork]) -> Bool {
        trusted.contains { $0.contains(address) }
    }

    /// `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]`, and either with a `:port` as some proxies add.
    static func address(ofHop hop: Substring) -> IPAddress? {
        let text = String(hop.trimmingOWS())
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            return IPAddress(parsing: String(text[text.index(after: text.startIndex)..<close]))
        }
        if let address = IPAddress(parsing: text) { return address }
        guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return nil }
        return IPAddress(parsing: String(text[..<colon]))
    }
}
