/// What one command takes and says about itself: the parser reads it, the help prints it.
struct CommandSpec: Sendable {
    struct Argument: Sendable {
        /// Without brackets: `login` is shown as `<login>`.
        var name: String
        var help: String
        var optional = false

        var label: String { "<\(name)>" }
    }

    struct Option: Sendable {
        /// `--socket`.
        var name: String
        /// The value's placeholder (`path`), nil for a flag.
        var value: String?
        var help: String

        var label: String { value.map { "\(name) <\($0)>" } ?? name }
    }

    var name: String
    /// One sentence, for OVERVIEW and the parent's SUBCOMMANDS list.
    var abstract: String
    /// Paragraphs after the abstract, already wrapped at 80 columns.
    var discussion = ""
    var arguments: [Argument] = []
    /// The command's own options; a command that talks to the daemon also takes the
    /// connection options and `--json`.
    var ownOptions: [Option] = []
    var talksToDaemon = true

    var options: [Option] { ownOptions + (talksToDaemon ? CommandCatalog.connectionOptions : []) }

    func option(named name: String) -> Option? { options.first { $0.name == name } }
}
