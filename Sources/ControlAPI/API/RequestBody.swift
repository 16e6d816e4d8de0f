import HTTPWire
import HTTPServing
import Crypt
/// The JSON object a command's body must be, and its string fields.
struct RequestBody: Sendable {
    let value: JSONValue

    /// Parses `bytes` as one JSON object; an empty body is `{}` (for `logout`).
    static func parse(_ bytes: [UInt8]) -> Result<RequestBody, APIFailure> {
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            return .success(RequestBody(value: .object([])))
        }
        let value: JSONValue
        do {
            value = try JSONValue.parse(bytes)
        } catch {
            return .failure(.badRequest("invalid_json", "the body is not valid JSON: \(error)"))
        }
        guard case .object = value else {
            return .failure(.badRequest("invalid_json", "the body must be a JSON object"))
        }
        return .success(RequestBody(value: value))
    }

    /// A required non-empty string field.
    func string(_ key: String) -> Result<String, APIFailure> {
        guard let field = value[key], !field.isNull else {
            return .failure(.badRequest("missing_field", "the body needs \"\(key)\""))
        }
        guard let text = field.stringValue else {
            return .failure(.badRequest("invalid_field", "\"\(key)\" must be a string"))
        }
        guard !text.isEmpty, text.utf8.count <= 1024 else {
            return .failure(.badRequest("invalid_field", "\"\(key)\" must be 1 to 1024 bytes long"))
        }
        return .success(text)
    }
}
