/// Columns aligned with two spaces between them; the last column is not padded.
struct TextTable {
    let columns: Int
    var header: [String]?
    var rows: [[String]] = []

    init(_ header: [String]) {
        columns = header.count
        self.header = header
    }

    /// A table without a header line.
    init(columns: Int) {
        self.columns = columns
    }

    mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// One line per row, each ending in a newline.
    func rendered() -> String {
        let all = (header.map { [$0] } ?? []) + rows
        var widths = [Int](repeating: 0, count: columns)
        for row in all {
            for (index, cell) in row.prefix(columns).enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        var text = ""
        for row in all {
            var line = ""
            for (index, cell) in row.prefix(columns).enumerated() {
                if index > 0 { line += "  " }
                line += cell
                if index < columns - 1 { line += String(repeating: " ", count: widths[index] - cell.count) }
            }
            text += line.trimmedRight + "\n"
        }
        return text
    }
}
