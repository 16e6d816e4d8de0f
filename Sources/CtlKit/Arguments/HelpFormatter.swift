/// Help and usage text in swift-argument-parser's layout: OVERVIEW / USAGE / ARGUMENTS /
/// OPTIONS / SUBCOMMANDS, labels in a 26-column gutter, help wrapped at 80 columns.
public enum HelpFormatter {
    static let width = 80
    static let labelColumn = 26

    /// `ccagentctl --help`, or `ccagentctl <command> --help`.
    public static func help(command name: String?) -> String {
        guard let name, let command = CommandCatalog.command(named: name) else { return rootHelp() }
        var text = "OVERVIEW: \(command.abstract)\n\n"
        if !command.discussion.isEmpty { text += command.discussion + "\n\n" }
        text += "USAGE: \(usage(of: command))\n\n"
        if !command.arguments.isEmpty {
            text += "ARGUMENTS:\n" + command.arguments.map { element($0.label, $0.help) }.joined() + "\n"
        }
        text += "OPTIONS:\n" + command.options.map { element($0.label, $0.help) }.joined()
        text += element("-h, --help", "Show help information.")
        return text
    }

    static func rootHelp() -> String {
        let root = CommandCatalog.root
        var text = "OVERVIEW: \(root.abstract)\n\n\(root.discussion)\n\n"
        text += "USAGE: \(usage(of: nil))\n\n"
        text += "OPTIONS:\n" + root.ownOptions.map { element($0.label, $0.help) }.joined()
        text += element("-h, --help", "Show help information.") + "\n"
        text += "SUBCOMMANDS:\n" + CommandCatalog.commands.map { element($0.name, $0.abstract) }.joined()
        text += element("help", "Show subcommand help information.")
        text += "\n  See '\(CommandCatalog.program) help <subcommand>' for detailed help.\n"
        return text
    }

    /// `ccagentctl status <login> <status> [<options>]`.
    static func usage(of command: CommandSpec?) -> String {
        guard let command else { return "\(CommandCatalog.program) <subcommand>" }
        var words = [CommandCatalog.program, command.name]
        for argument in command.arguments { words.append(argument.optional ? "[\(argument.label)]" : argument.label) }
        words.append("[<options>]")
        return words.joined(separator: " ")
    }

    /// `Error: …`, argument-parser's `Help:` line, the usage line and where to read more; or the
    /// whole help when ccagentctl was run with nothing.
    public static func usageError(_ error: UsageError) -> String {
        if error.showsFullHelp { return "Error: \(error.message)\n\n" + rootHelp() }
        let command = error.command.flatMap(CommandCatalog.command(named:))
        var text = "Error: \(error.message)\n"
        if let help = error.help { text += "Help:  \(help)\n" }
        text += "Usage: \(usage(of: command))\n"
        let name = [CommandCatalog.program] + (command.map { [$0.name] } ?? [])
        text += "  See '\(name.joined(separator: " ")) --help' for more information.\n"
        return text
    }

    /// `  label` padded to the gutter and its help wrapped beside it, or below when the label is wide.
    static func element(_ label: String, _ help: String) -> String {
        let padded = "  " + label
        let lines = wrap(help, width: width - labelColumn)
        let gutter = String(repeating: " ", count: labelColumn)
        var text: String
        var remaining = lines[...]
        if padded.count < labelColumn - 1, let first = remaining.popFirst() {
            text = padded + String(repeating: " ", count: labelColumn - padded.count) + first + "\n"
        } else {
            text = padded + "\n"
        }
        for line in remaining { text += gutter + line + "\n" }
        return text
    }

    /// Words greedily into lines of at most `width` characters (a longer word stands alone).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            if line.isEmpty {
                line = String(word)
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = String(word)
            }
        }
        lines.append(line)
        return lines
    }
}
