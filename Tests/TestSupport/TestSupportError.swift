/// Why a test helper could not do its part: a port it could not reach, a child that would not
/// start or stop, a wait that ran out. The description is meant for the test's failure message.
public struct TestSupportError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
