import CSQLite
import FoundationEssentials

/// One SQLite connection. Not `Sendable`: its owner uses it from one thread (the daemon's event
/// loop; the report reader's serial queue has a connection of its own).
public final class Database {
    public let path: String
    let handle: OpaquePointer
    /// Prepared once, reused for every change: the hot path never parses SQL again.
    private var cache: [String: Statement] = [:]
    private var inTransaction = false
    /// Tests set it to make every `commit()` fail with it, as a full disk does (and roll back).
    var failingCommits: StoreError?

    /// Opens (creating the file and its directory when missing) and sets the connection up:
    /// WAL, `synchronous = FULL`, a busy timeout, foreign keys, then a quick integrity check,
    /// so a bad file is a clear error at start and not a crash mid-run.
    public static func open(path: String, busyTimeout: Duration = .seconds(5)) throws(StoreError) -> Database {
        let directory = parentDirectory(of: path)
        if !directory.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .openFailed(path: path, code: SQLITE_CANTOPEN, message: "cannot create the directory \(directory)")
            }
        }
        var isDirectory = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory {
            throw .openFailed(path: path, code: SQLITE_CANTOPEN, message: "it is a directory")
        }
        var connection: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &connection, flags, nil)
        guard code == SQLITE_OK, let connection else {
            let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(connection)
            throw .openFailed(path: path, code: code, message: message)
        }
        let database = Database(path: path, handle: connection)
        do {
            try database.configure(busyTimeout: busyTimeout)
        } catch {
            throw database.classify(error)
        }
        return database
    }

    private init(path: String, handle: OpaquePointer) {
        self.path = path
        self.handle = handle
    }

    deinit {
        cache.removeAll()  // statements finalize before the connection closes
        sqlite3_close_v2(handle)
    }

    private func configure(busyTimeout: Duration) throws(StoreError) {
        let (seconds, attoseconds) = busyTimeout.components
        sqlite3_busy_timeout(handle, Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000))
        // The first read of the file: garbage fails here with SQLITE_NOTADB.
        let mode = try pragma("journal_mode = WAL") ?? ""
        guard mode.lowercased() == "wal" else { throw .walUnavailable(path: path, mode: mode) }
        // In WAL mode NORMAL may lose the last commits on power loss (the WAL is synced only at
        // checkpoints). The product promises no committed change is ever lost, so FULL: every
        // commit is fsynced before it returns. Status changes are few; the cost is acceptable.
        try execute("PRAGMA synchronous = FULL")
        try execute("PRAGMA foreign_keys = ON")
        // SQLite's page cache grows to 2 MB by default as the history does. Writes touch the agents'
        // rows and the B-trees' inner pages; reports scan, and the kernel's page cache serves
        // those reads anyway. 512 KiB holds the hot pages of 2,000 agents.
        try execute("PRAGMA cache_size = -512")
        // quick_check is O(size) but skips index cross-checks: enough to refuse a damaged file at
        // start, cheap enough for a store of agent statuses.
        let check = try pragma("quick_check") ?? ""
        guard check == "ok" else { throw .corrupt(path: path, message: check) }
    }

    /// Turns a failure during open into the error a person expects: corruption, or "cannot open".
    private func classify(_ error: StoreError) -> StoreError {
        guard case .sql(_, let code, let message) = error else { return error }
        switch code & 0xFF {
        case SQLITE_NOTADB, SQLITE_CORRUPT: return .corrupt(path: path, message: message)
        default: return .openFailed(path: path, code: code, message: message)
        }
    }

    // MARK: Statements

    /// The cached prepared statement for `sql`.
    public func statement(_ sql: String) throws(StoreError) -> Statement {
        if let cached = cache[sql] { return cached }
        let statement = try Statement(database: handle, sql: sql)
        cache[sql] = statement
        return statement
    }

    /// Runs one statement that returns no rows.
    public func execute(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) {
        try statement(sql).run(values)
    }

    /// Runs several `;`-separated statements without values (migrations).
    public func executeScript(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw .sql(sql: sql, code: code, message: text)
        }
    }

    /// Runs a query and maps each row.
    public func query<T>(
        _ sql: String, _ values: [SQLValue] = [], row: (Statement) throws(StoreError) -> T
    ) throws(StoreError) -> [T] {
        let statement = try statement(sql)
        try statement.reset(binding: values)
        var rows: [T] = []
        while try statement.step() { rows.append(try row(statement)) }
        try statement.reset(binding: [])
        return rows
    }

    /// A pragma's first result column as text, if it returns one. `body` is pasted into the SQL:
    /// constant text from our code only, never a value from outside.
    public func pragma(_ body: String) throws(StoreError) -> String? {
        let statement = try Statement(database: handle, sql: "PRAGMA \(body)")
        guard try statement.step() else { return nil }
        return statement.text(0)
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    // MARK: Transactions

    /// Whether a transaction begun with `begin()` is open.
    public var isInTransaction: Bool { inTransaction }

    /// Opens a transaction that `commit()` or `rollback()` ends: for the daemon's group commit,
    /// whose writes come from several inputs before one commit. IMMEDIATE, as in `transaction`.
    public func begin() throws(StoreError) {
        precondition(!inTransaction, "nested transaction")
        try execute("BEGIN IMMEDIATE")
        inTransaction = true
    }

    /// Commits the transaction `begin()` opened; when that fails, it is rolled back.
    public func commit() throws(StoreError) {
        precondition(inTransaction, "commit without a transaction")
        defer { inTransaction = false }
        do throws(StoreError) {
            if let failure = failingCommits { throw failure }
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Ends the transaction `begin()` opened without keeping any of it. SQLite may have rolled it
    /// back already (after SQLITE_FULL, for one): "no transaction is active" is not an error here.
    public func rollback() {
        guard inTransaction else { return }
        inTransaction = false
        try? execute("ROLLBACK")
    }

    /// Runs `body` inside the open transaction as one unit: when it fails, what it wrote is
    /// undone and the transaction goes on with what came before. Throws `.inputFailed` for that,
    /// or the error itself when the transaction could not be kept (SQLite rolled it back).
    public func savepoint(_ body: () throws(StoreError) -> Void) throws(StoreError) {
        precondition(inTransaction, "savepoint without a transaction")
        try execute("SAVEPOINT one_input")
        do {
            try body()
            try execute("RELEASE one_input")
        } catch let failure {
            // SQLite rolls the whole transaction back by itself after some errors (a full disk,
            // out of memory): nothing is left to roll back to, and the batch is lost with it.
            guard sqlite3_get_autocommit(handle) == 0 else {
                inTransaction = false
                throw failure
            }
            do {
                try execute("ROLLBACK TO one_input")
                try execute("RELEASE one_input")
            } catch {
                // The input's writes cannot be taken apart from the batch: the batch fails, with
                // the error that started it (the ROLLBACK's own would only hide it).
                throw failure
            }
            throw .inputFailed(failure)
        }
    }

    /// Runs `body` in one transaction: all of it is committed, or none. IMMEDIATE takes the write
    /// lock at once, so a busy database fails here (after the busy timeout), not halfway through.
    public func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        precondition(!inTransaction, "nested transaction")
        try execute("BEGIN IMMEDIATE")
        inTransaction = true
        defer { inTransaction = false }
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            // A failed COMMIT may already have rolled back; ignore "no transaction is active".
            try? execute("ROLLBACK")
            throw error
        }
    }
}

@available(*, unavailable)
extension Database: Sendable {}

/// The directory part of `path`, as `NSString.deletingLastPathComponent` gives it: `/var/lib/x`
/// for `/var/lib/x/agents.db`, `/` for `/agents.db`, empty for `agents.db`.
func parentDirectory(of path: String) -> String {
    var bytes = Array(path.utf8)
    while bytes.count > 1, bytes.last == UInt8(ascii: "/") { bytes.removeLast() }
    guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return "" }
    var end = slash
    while end > 0, bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
    return end == 0 ? "/" : String(decoding: bytes[..<end], as: UTF8.self)
}
