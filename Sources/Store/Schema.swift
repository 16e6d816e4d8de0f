/// The schema's history: an ordered list of forward migrations, each applied in its own
/// transaction together with the `user_version` it reaches. Never edit a released migration;
/// append a new one.
enum Schema {
    struct Migration {
        let version: Int
        let sql: String
    }

    static let migrations: [Migration] = [
        Migration(version: 1, sql: """
            CREATE TABLE agent_state (
                agent TEXT PRIMARY KEY NOT NULL CHECK (length(agent) > 0),
                status TEXT NOT NULL,
                since_ms INTEGER NOT NULL,
                extension TEXT NOT NULL,
                interface TEXT NOT NULL,
                state_interface TEXT,
                is_virtual INTEGER NOT NULL CHECK (is_virtual IN (0, 1)),
                status_before_call TEXT,
                requested_by TEXT
            ) STRICT;
            CREATE TABLE agent_call (
                agent TEXT NOT NULL REFERENCES agent_state(agent) ON DELETE CASCADE,
                unique_id TEXT NOT NULL,
                direction TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
                PRIMARY KEY (agent, unique_id)
            ) STRICT;
            CREATE TABLE status_history (
                id INTEGER PRIMARY KEY,
                agent TEXT NOT NULL CHECK (length(agent) > 0),
                from_status TEXT NOT NULL,
                to_status TEXT NOT NULL,
                at_ms INTEGER NOT NULL,
                cause TEXT NOT NULL,
                actor TEXT NOT NULL,
                note TEXT
            ) STRICT;
            CREATE TABLE calls (
                unique_id TEXT PRIMARY KEY NOT NULL,
                agent TEXT NOT NULL CHECK (length(agent) > 0),
                direction TEXT NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
                channel TEXT NOT NULL,
                started_ms INTEGER NOT NULL,
                answered_ms INTEGER,
                ended_ms INTEGER
            ) STRICT;
            """),
        Migration(version: 2, sql: """
            CREATE TABLE lingering (
                interface TEXT PRIMARY KEY NOT NULL,
                agent TEXT NOT NULL CHECK (length(agent) > 0)
            ) STRICT;
            CREATE TABLE audit_log (
                id INTEGER PRIMARY KEY,
                at_ms INTEGER NOT NULL,
                actor TEXT NOT NULL,
                source TEXT NOT NULL,
                action TEXT NOT NULL,
                target TEXT,
                outcome TEXT NOT NULL,
                detail TEXT
            ) STRICT;
            CREATE INDEX status_history_by_agent_time ON status_history (agent, at_ms, id);
            CREATE INDEX status_history_by_time ON status_history (at_ms);
            CREATE INDEX calls_by_agent_time ON calls (agent, started_ms);
            CREATE INDEX audit_log_by_time ON audit_log (at_ms);
            """),
    ]

    static var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Brings the database up to `target` (the latest by default). A file from a newer build is
    /// refused before anything is written.
    static func migrate(_ database: Database, upTo target: Int = latestVersion) throws(StoreError) {
        let current = try version(of: database)
        if current > latestVersion {
            throw .newerSchema(path: database.path, found: current, known: latestVersion)
        }
        for migration in migrations where migration.version > current && migration.version <= target {
            try database.transaction { () throws(StoreError) in
                try database.executeScript(migration.sql)
                try database.executeScript("PRAGMA user_version = \(migration.version)")
            }
        }
    }

    static func version(of database: Database) throws(StoreError) -> Int {
        Int(try database.pragma("user_version") ?? "0") ?? 0
    }
}
