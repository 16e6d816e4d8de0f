import CSQLite

/// One prepared statement. Finalized in `deinit`; deliberately not `Sendable`: it belongs to its
/// connection, which is used from one thread.
public final class Statement {
    public let sql: String
    private let handle: OpaquePointer

    init(database: OpaquePointer, sql: String) throws(StoreError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(database, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw .sql(sql: sql, code: code, message: String(cString: sqlite3_errmsg(database)))
        }
        self.sql = sql
        self.handle = statement
    }

    deinit { sqlite3_finalize(handle) }

    /// Clears the previous run and binds `values` to the placeholders in order.
    public func reset(binding values: [SQLValue]) throws(StoreError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32 =
                switch value {
                case .integer(let number): sqlite3_bind_int64(handle, index, number)
                case .text(let text): csqlite_bind_text(handle, index, text, -1)
                case .null: sqlite3_bind_null(handle, index)
                }
            if code != SQLITE_OK { throw error(code) }
        }
    }

    /// Runs to the next row: true when a row is ready to read, false when done.
    public func step() throws(StoreError) -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let failure = error(code)
            sqlite3_reset(handle)
            throw failure
        }
    }

    /// Runs a statement that returns no rows.
    public func run(_ values: [SQLValue] = []) throws(StoreError) {
        try reset(binding: values)
        while try step() {}
        sqlite3_reset(handle)
    }

    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    public func optionalInt64(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }

    public func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    private func error(_ code: Int32) -> StoreError {
        let message = sqlite3_db_handle(handle).map { String(cString: sqlite3_errmsg($0)) } ?? "unknown"
        return .sql(sql: sql, code: code, message: message)
    }
}

@available(*, unavailable)
extension Statement: Sendable {}
