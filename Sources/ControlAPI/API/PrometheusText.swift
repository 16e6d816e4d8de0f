import HTTPWire
import HTTPServing
import Crypt
/// Writes metrics in the Prometheus text exposition format 0.0.4: `# HELP`, `# TYPE`, then one
/// `name{label="value"} number` line per sample. Label values are escaped (`\\`, `\"`, `\n`).
struct PrometheusText {
    private(set) var text = ""

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, labels: [(String, String)] = [], double value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.number(value) + "\n"
    }

    /// A family of one unlabelled sample.
    mutating func single(_ name: String, _ type: String, _ help: String, _ value: Int) {
        family(name, type, help)
        sample(name, value)
    }

    /// A family of one sample per value of `label`, in the order given.
    mutating func labelled(_ name: String, _ type: String, _ help: String, by label: String, _ values: [(String, Int)]) {
        family(name, type, help)
        for (labelValue, value) in values { sample(name, labels: [(label, labelValue)], value) }
    }

    mutating func sample(_ name: String, labels: [(String, String)] = [], _ value: Int) {
        sample(name, labels: labels, double: Double(value))
    }

    /// Integers without a fraction, everything else as Swift prints a `Double`; `+Inf` the
    /// Prometheus way.
    static func number(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value.isNaN { return "NaN" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}
