import Foundation
import VaporCSQLite

/// What SQLite itself does with the rows of an event batch: through its C interface with prepared statements,
/// a transaction per batch or per group of batches (their events, and each terminal's detection memory
/// replaced), on a database with PosGuard's schema and pragmas, without foreign-key checks. No Swift driver can
/// store a batch faster.
enum RawSQLiteEvents {
    struct Event: Sendable {
        var seq: Int64
        var type: String
        var body: String
    }

    /// Batches per second over `batches` (each a terminal's number and its events), with a memory of
    /// `watchBytes` bytes per terminal, `perTransaction` batches committed together, on the database file at `path`.
    static func rate(
        path: String, batches: [(terminal: Int, events: [Event])], watchBytes: Int, perTransaction: Int = 1
    ) throws -> Double {
        let db = try RawSQLite.open(path)
        defer { sqlite_nio_sqlite3_close(db) }
        let begin = try RawSQLite.prepare(db, "BEGIN IMMEDIATE")
        let insert = try RawSQLite.prepare(
            db,
            """
            INSERT INTO events (terminal_id, seq, type, at, received_at, body) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (terminal_id, seq) DO NOTHING
            """)
        let watch = try RawSQLite.prepare(
            db,
            """
            INSERT INTO terminal_watch (terminal_id, state, updated_at) VALUES (?, ?, ?)
            ON CONFLICT (terminal_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at
            """)
        let commit = try RawSQLite.prepare(db, "COMMIT")
        defer { [begin, insert, watch, commit].forEach { sqlite_nio_sqlite3_finalize($0) } }
        let state = #"{"memory":""# + String(repeating: "x", count: max(watchBytes - 13, 0)) + #""}"#
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let start = ContinuousClock.now
        for (index, batch) in batches.enumerated() {
            let terminal = "01900000-0000-7000-8000-" + String(format: "%012d", batch.terminal)
            if index % perTransaction == 0 { try RawSQLite.step(begin, db) }
            for event in batch.events {
                sqlite_nio_sqlite3_bind_text(insert, 1, terminal, -1, RawSQLite.transient)
                sqlite_nio_sqlite3_bind_int64(insert, 2, event.seq)
                sqlite_nio_sqlite3_bind_text(insert, 3, event.type, -1, RawSQLite.transient)
                sqlite_nio_sqlite3_bind_int64(insert, 4, now)
                sqlite_nio_sqlite3_bind_int64(insert, 5, now)
                sqlite_nio_sqlite3_bind_text(insert, 6, event.body, -1, RawSQLite.transient)
                try RawSQLite.step(insert, db)
            }
            sqlite_nio_sqlite3_bind_text(watch, 1, terminal, -1, RawSQLite.transient)
            sqlite_nio_sqlite3_bind_text(watch, 2, state, -1, RawSQLite.transient)
            sqlite_nio_sqlite3_bind_int64(watch, 3, now)
            try RawSQLite.step(watch, db)
            if index % perTransaction == perTransaction - 1 || index == batches.count - 1 {
                try RawSQLite.step(commit, db)
            }
        }
        return Double(batches.count) / BenchKit.seconds(ContinuousClock.now - start)
    }

    /// The mean size of the terminals' detection memory in the SQLite database at `path`, in bytes.
    static func meanWatchBytes(path: String) -> Int? {
        guard let db = try? RawSQLite.open(path) else { return nil }
        defer { sqlite_nio_sqlite3_close(db) }
        guard let query = try? RawSQLite.prepare(db, "SELECT avg(length(state)) FROM terminal_watch") else {
            return nil
        }
        defer { sqlite_nio_sqlite3_finalize(query) }
        guard sqlite_nio_sqlite3_step(query) == SQLITE_ROW else { return nil }
        return Int(sqlite_nio_sqlite3_column_double(query, 0))
    }
}
