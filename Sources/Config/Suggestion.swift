/// "Did you mean …?" for misspelled keys and names.
enum Suggestion {
    /// The candidate closest to `word` by edit distance (case-insensitive, a swap of two
    /// neighbouring letters counts as one edit), if it is close enough to be a likely typo:
    /// at most 1 edit for words up to 3 letters, 2 up to 8, 3 beyond. Ties go to the earlier candidate.
    /// Failing that, the first candidate that starts with `word` (3 letters or more).
    static func closest(to word: String, among candidates: [String]) -> String? {
        let target = Array(word.lowercased().unicodeScalars)
        let allowed = target.count <= 3 ? 1 : target.count <= 8 ? 2 : 3
        var best: (candidate: String, distance: Int)?
        for candidate in candidates where candidate != word {
            let distance = editDistance(target, Array(candidate.lowercased().unicodeScalars), limit: allowed)
            guard distance <= allowed else { continue }
            if best == nil || distance < best?.distance ?? Int.max { best = (candidate, distance) }
        }
        if let best { return best.candidate }
        // An abbreviation: `warn` for `warning`, `sup` for `support`.
        guard target.count >= 3 else { return nil }
        let lowered = word.lowercased()
        return candidates.first { $0.lowercased().hasPrefix(lowered) && $0 != word }
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent
    /// transpositions. Returns early with `limit + 1` when the lengths alone exceed `limit`.
    static func editDistance<Element: Equatable>(_ a: [Element], _ b: [Element], limit: Int = .max) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previousPrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previousPrevious[j - 2] + 1)
                }
                current[j] = value
            }
            (previousPrevious, previous, current) = (previous, current, previousPrevious)
        }
        return previous[b.count]
    }
}
