import Testing
import TestSupport
@testable import Store

/// One input's writes in the daemon's group commit (`Database.savepoint`).
@Suite struct SavepointTests {
    let directory: TemporaryDirectory
    let database: Database

    init() throws {
        directory = try TemporaryDirectory()
        database = try Database.open(path: directory.file("savepoint.sqlite"))
        try database.execute("CREATE TABLE rows (n INTEGER NOT NULL CHECK (n < 100))")
    }

    func count() throws -> Int64 {
        try database.query("SELECT count(*) FROM rows") { $0.int64(0) }.first ?? -1
    }

    @Test func anInputsOwnFailureUndoesItAloneAndTheTransactionGoesOn() throws {
        try database.begin()
        try database.savepoint { () throws(StoreError) in try database.execute("INSERT INTO rows VALUES (1)") }
        #expect(throws: StoreError.self) {
            try database.savepoint { () throws(StoreError) in
                try database.execute("INSERT INTO rows VALUES (2)")
                try database.execute("INSERT INTO rows VALUES (200)")
            }
        }
        try database.commit()
        #expect(try count() == 1)
    }

    @Test func whenSQLiteRolledTheTransactionBackItselfTheFirstErrorIsThrownAndNoTransactionIsLeft() throws {
        try database.begin()
        try database.savepoint { () throws(StoreError) in try database.execute("INSERT INTO rows VALUES (1)") }
        let refusal = StoreError.sql(sql: "INSERT", code: 13, message: "database or disk is full")
        var thrown: StoreError?
        do {
            try database.savepoint { () throws(StoreError) in
                // As SQLite does after SQLITE_FULL: the whole transaction is gone.
                try database.execute("ROLLBACK")
                throw refusal
            }
        } catch {
            thrown = error
        }
        // Not `.inputFailed` (the batch is lost, not one input), and not ROLLBACK TO's own error.
        #expect(thrown == refusal)
        #expect(!database.isInTransaction)
        try database.begin()
        try database.execute("INSERT INTO rows VALUES (3)")
        try database.commit()
        #expect(try count() == 1)
    }
}
