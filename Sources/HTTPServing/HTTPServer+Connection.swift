import HTTPWire
import SystemSupport

/// One client connection of the server, and how it ends; touched on the server's thread only.
extension HTTPServer {
    final class Connection {
        let id: Int
        let fd: Int32
        let peer: String
        /// The allowance it counts against: TCP's, or the Unix socket's.
        let pool: ConnectionPool
        var decoder: HTTPRequestDecoder
        /// While a request is with the handler, input is read ahead up to one more whole request
        /// at most; then reading waits, so a client cannot pile up memory the decoder's limits
        /// never see (they apply when a request is decoded).
        let maximumReadAhead: Int
        var output: [UInt8] = []
        var outputOffset = 0
        /// A request is with the handler: the next (pipelined) one waits.
        var busy = false
        var streaming = false
        var ending = Ending.open
        /// The client shut down its side: what it sent is still answered, then the connection closes.
        var inputClosed = false
        var timer: TimerID?
        /// While a request is awaited: when its head must have arrived (from when the connection
        /// opened or its last response was written), and all of it (from its first byte).
        var headerDeadline: ContinuousClock.Instant?
        var requestDeadline: ContinuousClock.Instant?
        /// What `timer` is set for, when it is for the request: more bytes do not set it again.
        var armedDeadline: ContinuousClock.Instant?
        /// What the loop polls this descriptor for, as last set.
        var interest: IOEvents = .read

        init(id: Int, fd: Int32, peer: String, pool: ConnectionPool, limits: HTTPLimits) {
            self.id = id
            self.fd = fd
            self.peer = peer
            self.pool = pool
            decoder = HTTPRequestDecoder(limits: limits)
            maximumReadAhead = decoder.limits.maximumHeaderBytes + decoder.limits.maximumBodyBytes
        }

        var pending: Int { output.count - outputOffset }

        /// Waiting for a request with none of it received and nothing left to write: closing it
        /// loses nothing, so a full server may, to admit a newcomer.
        var isIdle: Bool {
            ending == .open && !busy && !streaming && !inputClosed && pending == 0 && !decoder.hasPartialRequest
        }

        /// Whether the loop should read: not past the client's end of input, not while the last
        /// response waits to be flushed, not while a request is handled and one more is buffered.
        var wantsInput: Bool {
            guard !inputClosed else { return false }
            switch ending {
            case .open: return !busy || decoder.bufferedByteCount < maximumReadAhead
            case .closing: return false
            case .draining: return true
            }
        }
    }

    enum Ending: Equatable {
        /// Keep-alive: more requests may come.
        case open
        /// The last response (or an error) is written: the connection closes once it is flushed.
        case closing
        /// Flushed, and our side shut down. Closing with unread input would make the kernel reset
        /// the connection, which can destroy the response before the client read it; so what the
        /// client still sends is read and dropped, for a short while and up to a bound.
        case draining(discarded: Int)
    }
}
