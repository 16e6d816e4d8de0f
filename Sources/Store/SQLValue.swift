/// A value bound to a `?` placeholder. Only the types the schema uses: integers and text.
public enum SQLValue: Sendable, Equatable {
    case integer(Int64)
    case text(String)
    case null

    public static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    public static func integer(_ value: Int64?) -> SQLValue { value.map { .integer($0) } ?? .null }
}
