import Foundation
// SQLite's own C interface, as SQLiteNIO builds it into PosGuard: the bench measures the engine with no driver.
import VaporCSQLite

/// What SQLite itself does on this machine: audit appends through its C interface with prepared statements, one
/// transaction each (BEGIN IMMEDIATE, the counter, the row, COMMIT), on a database with PosGuard's schema and
/// pragmas. No Swift driver can append faster, one entry per transaction.
enum RawSQLiteAppends {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Appends per second over `count` transactions on the database file at `path`.
    static func rate(path: String, count: Int) throws -> Double {
        var db: OpaquePointer?
        guard sqlite_nio_sqlite3_open(path, &db) == SQLITE_OK, let db else { throw Failure(description: "open") }
        defer { sqlite_nio_sqlite3_close(db) }
        try exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000")
        let begin = try prepare(db, "BEGIN IMMEDIATE")
        let counter = try prepare(db, "UPDATE audit_tree SET size = size + 1 WHERE id = 1 RETURNING size")
        let insert = try prepare(
            db,
            """
            INSERT INTO audit_log (id, at, provider_id, actor_id, actor, action, target_type, target_id, before, after,
            reason, source, leaf_index, leaf_hash, seal) VALUES (?, ?, ?, NULL, 'bench', 'terminal.transition',
            'terminal', ?, ?, ?, 'benchmark', '127.0.0.1', ?, ?, ?)
            """)
        let commit = try prepare(db, "COMMIT")
        defer { [begin, counter, insert, commit].forEach { sqlite_nio_sqlite3_finalize($0) } }
        let hex = String(repeating: "ab", count: 32)
        let start = ContinuousClock.now
        for n in 0..<count {
            try step(begin, db)
            guard sqlite_nio_sqlite3_step(counter) == SQLITE_ROW else { throw Failure(description: "counter") }
            let size = sqlite_nio_sqlite3_column_int64(counter, 0)
            sqlite_nio_sqlite3_reset(counter)
            // Ids rise, as PosGuard's time-ordered ids do.
            let texts = [
                id(n, "0001"), id(0, "0002"), id(n, "0003"),
                #"{"state":"active","tid":"T\#(n)","serial":"SN\#(n)","store_id":"s"}"#,
                #"{"state":"locked","tid":"T\#(n)","serial":"SN\#(n)","store_id":"s"}"#, hex, hex,
            ]
            for (i, text) in zip([1, 3, 4, 5, 6, 8, 9], texts) {
                sqlite_nio_sqlite3_bind_text(insert, Int32(i), text, -1, transient)
            }
            sqlite_nio_sqlite3_bind_int64(insert, 2, Int64(n))
            sqlite_nio_sqlite3_bind_int64(insert, 7, size - 1)
            try step(insert, db)
            try step(commit, db)
        }
        return Double(count) / BenchKit.seconds(ContinuousClock.now - start)
    }

    private static func id(_ n: Int, _ kind: String) -> String {
        let digits = String(n)
        return "01900000-\(kind)-7000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits
    }

    /// SQLite copies bound text at once (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func exec(_ db: OpaquePointer, _ sql: String) throws {
        guard sqlite_nio_sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw error(db) }
    }

    private static func prepare(_ db: OpaquePointer, _ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw error(db)
        }
        return statement
    }

    private static func step(_ statement: OpaquePointer, _ db: OpaquePointer) throws {
        defer { sqlite_nio_sqlite3_reset(statement) }
        guard sqlite_nio_sqlite3_step(statement) == SQLITE_DONE else { throw error(db) }
    }

    private static func error(_ db: OpaquePointer) -> Failure {
        Failure(description: "SQLite: " + String(cString: sqlite_nio_sqlite3_errmsg(db)))
    }
}
