/// How a reload ended.
public enum ReloadResult: Sendable, Equatable {
    /// Applied; `notes` says what waits for a restart.
    case applied(notes: [String])
    /// The file has errors: the old configuration stays. One line per error.
    case refused(errors: [String])
    /// The store cannot commit what the new configuration changes: the old configuration stays.
    case storeUnavailable(String)
}
