import HTTPWire
import HTTPServing
import Crypt
public import SystemSupport

/// A session's bearer token: 256 random bits as 64 lowercase hex digits.
public enum SessionToken {
    public static let byteCount = 32
    public static let length = byteCount * 2

    public static func generate() throws(SystemCallError) -> String {
        let bytes = try RandomBytes.generate(count: byteCount)
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(length)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// 64 lowercase hex digits: anything else is no token of ours, whatever it holds.
    public static func isWellFormed(_ token: String) -> Bool {
        token.utf8.count == length && token.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }
}
