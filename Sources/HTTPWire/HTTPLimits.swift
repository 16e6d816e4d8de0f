/// Bounds on what one request may make the decoder hold.
public struct HTTPLimits: Sendable, Hashable {
    /// The request line, the header lines and the blank line that ends them (→ 431). Trailers of a
    /// chunked body have the same bound of their own.
    public var maximumHeaderBytes: Int
    /// Header lines (→ 431); also trailer lines.
    public var maximumHeaderCount: Int
    /// The body, declared or decoded (→ 413).
    public var maximumBodyBytes: Int
    /// The request-target (→ 414).
    public var maximumTargetLength: Int

    public init(
        maximumHeaderBytes: Int = 16 * 1024,
        maximumHeaderCount: Int = 100,
        maximumBodyBytes: Int = 1 << 20,
        maximumTargetLength: Int = 8 * 1024
    ) {
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumHeaderCount = maximumHeaderCount
        self.maximumBodyBytes = maximumBodyBytes
        self.maximumTargetLength = maximumTargetLength
    }

    /// Longest method token accepted (→ 501, the method cannot be one we implement).
    public static let maximumMethodLength = 32
    /// Longest chunk-size line, extensions included (→ 400); never more than `maximumHeaderBytes`.
    public static let maximumChunkSizeLineLength = 1024

    /// The limits the decoder enforces: none below 1 (0 for the body), the body at most 1 TiB, and a header budget that
    /// holds the longest request line allowed, so an overlong target is always a 414, never a 431,
    /// however the bytes arrive.
    var normalized: HTTPLimits {
        var limits = self
        limits.maximumTargetLength = max(1, maximumTargetLength)
        limits.maximumHeaderCount = max(0, maximumHeaderCount)
        limits.maximumBodyBytes = min(max(0, maximumBodyBytes), 1 << 40)
        let longestRequestLine = Self.maximumMethodLength + 1 + limits.maximumTargetLength + 1 + 8 + 2
        limits.maximumHeaderBytes = max(maximumHeaderBytes, longestRequestLine + 2)
        return limits
    }
}
