extension Int {
    /// The number with its noun in agreement, for messages people read: `1 agent`, `0 agents`,
    /// `3 errors`. A noun whose plural is not noun + `s` gives it: `2.counted("entry", plural: "entries")`.
    public func counted(_ noun: String, plural: String? = nil) -> String {
        "\(self) \(self == 1 ? noun : plural ?? noun + "s")"
    }
}
