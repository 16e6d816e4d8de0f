/// Requests are made once, as bytes, before the clock starts: the client threads share the two
/// cores with the server, so the loop spends nothing on building them.
enum RequestBytes {
    static func make(_ method: String, _ path: String, token: String?, json: String? = nil) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        if let json {
            head += "Content-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n\r\n\(json)"
        } else {
            head += "\r\n"
        }
        return Array(head.utf8)
    }

    /// A JSON string literal for the values the benchmark sends (logins, statuses, passwords of
    /// letters, digits, `@`, `.` and `-`): nothing to escape.
    static func quoted(_ value: String) -> String { "\"\(value)\"" }
}

extension Array where Element == UInt8 {
    /// How many times `pattern` occurs, not overlapping: answers are checked by what they must
    /// contain, without parsing them (the clients share the cores with the server).
    func occurrences(of pattern: [UInt8]) -> Int {
        guard !pattern.isEmpty, count >= pattern.count else { return 0 }
        var found = 0
        var index = 0
        let last = count - pattern.count
        while index <= last {
            if self[index] == pattern[0], self[index..<index + pattern.count].elementsEqual(pattern) {
                found += 1
                index += pattern.count
            } else {
                index += 1
            }
        }
        return found
    }

    func contains(_ pattern: [UInt8]) -> Bool { occurrences(of: pattern) > 0 }

    /// The start of a body, for an error message.
    var excerpt: String { String(decoding: prefix(200), as: UTF8.self) }
}
