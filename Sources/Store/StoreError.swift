/// Everything the store can fail with. Each case names what a person needs to act (the file, the
/// SQL, SQLite's code and message) and never a bound value: those may be names or phone numbers.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or created (a directory, no permission, a missing mount).
    case openFailed(path: String, code: Int32, message: String)
    /// The file is not a SQLite database, or fails its integrity check.
    case corrupt(path: String, message: String)
    /// The file's schema is newer than this build knows: an older binary must not touch it.
    case newerSchema(path: String, found: Int, known: Int)
    /// WAL could not be enabled (a file system without shared memory, for example).
    case walUnavailable(path: String, mode: String)
    /// A statement failed. `sql` is the text with its `?` placeholders, never the values.
    case sql(sql: String, code: Int32, message: String)
    /// A stored value this build cannot read (an unknown direction, a malformed actor).
    case badValue(table: String, column: String, key: String)
    /// One input's writes failed and were undone; the transaction they were in goes on.
    indirect case inputFailed(StoreError)

    /// What went wrong in a few words, for people who did not ask about SQL: SQLite's message
    /// (`database or disk is full`) for a failed statement, the whole description otherwise.
    public var summary: String {
        switch self {
        case .sql(_, _, let message): message
        case .inputFailed(let error): error.summary
        default: description
        }
    }

    /// Whether the error is the file's or the disk's (full, unwritable, I/O, busy), so that any
    /// write may fail alike, rather than one statement's.
    public var isStorageFailure: Bool {
        switch self {
        case .sql(_, let code, _): [5, 6, 7, 8, 10, 11, 13, 14, 15, 26].contains(code & 0xFF)  // BUSY LOCKED NOMEM READONLY IOERR CORRUPT FULL CANTOPEN PROTOCOL NOTADB
        case .inputFailed(let error): error.isStorageFailure
        case .openFailed, .corrupt, .walUnavailable: true
        case .newerSchema, .badValue: false
        }
    }

    public var description: String {
        switch self {
        case .openFailed(let path, let code, let message):
            "cannot open the database \(path): \(message) (SQLite code \(code))"
        case .corrupt(let path, let message):
            "the database \(path) is corrupt or not a database: \(message); restore it from a backup or move it away"
        case .newerSchema(let path, let found, let known):
            "the database \(path) was written by a newer ccagentd (schema version \(found), this build knows up to \(known))"
        case .walUnavailable(let path, let mode):
            "the database \(path) cannot use WAL (journal mode stayed \(mode)); put it on a local file system"
        case .sql(let sql, let code, let message):
            "SQL error \(code) (\(message)) in: \(sql)"
        case .badValue(let table, let column, let key):
            "unreadable value in \(table).\(column) for \(key)"
        case .inputFailed(let error):
            error.description
        }
    }
}
