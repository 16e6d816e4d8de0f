extension StringProtocol {
    /// Without leading and trailing Unicode scalars of `set` (scalars, not characters: CR LF is
    /// one character, and a lone LF must still be trimmed).
    public func trimming(scalarsIn set: String) -> String {
        let trimmed = Set(set.unicodeScalars)
        let scalars = unicodeScalars
        var start = scalars.startIndex
        var end = scalars.endIndex
        while start < end, trimmed.contains(scalars[start]) { start = scalars.index(after: start) }
        while end > start, trimmed.contains(scalars[scalars.index(before: end)]) { end = scalars.index(before: end) }
        var result = ""
        result.unicodeScalars.append(contentsOf: scalars[start..<end])
        return result
    }
}
