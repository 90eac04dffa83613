import Foundation
import VaporCSQLite

/// What SQLite itself does on this machine: audit appends through its C interface with prepared statements, one
/// transaction each (BEGIN IMMEDIATE, the counter, the row, COMMIT), on a database with PosGuard's schema and
/// pragmas. No Swift driver can append faster, one entry per transaction.
enum RawSQLiteAppends {
    /// Appends per second over `count` transactions on the database file at `path`.
    static func rate(path: String, count: Int) throws -> Double {
        let db = try RawSQLite.open(path)
        defer { sqlite_nio_sqlite3_close(db) }
        let begin = try RawSQLite.prepare(db, "BEGIN IMMEDIATE")
        let counter = try RawSQLite.prepare(db, "UPDATE audit_tree SET size = size + 1 WHERE id = 1 RETURNING size")
        let insert = try RawSQLite.prepare(
            db,
            """
            INSERT INTO audit_log (id, at, provider_id, actor_id, actor, action, target_type, target_id, before, after,
            reason, source, leaf_index, leaf_hash, seal) VALUES (?, ?, ?, NULL, 'bench', 'terminal.transition',
            'terminal', ?, ?, ?, 'benchmark', '127.0.0.1', ?, ?, ?)
            """)
        let commit = try RawSQLite.prepare(db, "COMMIT")
        defer { [begin, counter, insert, commit].forEach { sqlite_nio_sqlite3_finalize($0) } }
        let hex = String(repeating: "ab", count: 32)
        let start = ContinuousClock.now
        for n in 0..<count {
            try RawSQLite.step(begin, db)
            guard sqlite_nio_sqlite3_step(counter) == SQLITE_ROW else { throw RawSQLite.error(db) }
            let size = sqlite_nio_sqlite3_column_int64(counter, 0)
            sqlite_nio_sqlite3_reset(counter)
            // Ids rise, as PosGuard's time-ordered ids do.
            let texts = [
                id(n, "0001"), id(0, "0002"), id(n, "0003"),
                #"{"state":"active","tid":"T\#(n)","serial":"SN\#(n)","store_id":"s"}"#,
                #"{"state":"locked","tid":"T\#(n)","serial":"SN\#(n)","store_id":"s"}"#, hex, hex,
            ]
            for (i, text) in zip([1, 3, 4, 5, 6, 8, 9], texts) {
                sqlite_nio_sqlite3_bind_text(insert, Int32(i), text, -1, RawSQLite.transient)
            }
            sqlite_nio_sqlite3_bind_int64(insert, 2, Int64(n))
            sqlite_nio_sqlite3_bind_int64(insert, 7, size - 1)
            try RawSQLite.step(insert, db)
            try RawSQLite.step(commit, db)
        }
        return Double(count) / BenchKit.seconds(ContinuousClock.now - start)
    }

    private static func id(_ n: Int, _ kind: String) -> String {
        let digits = String(n)
        return "01900000-\(kind)-7000-8000-" + String(repeating: "0", count: 12 - digits.count) + digits
    }
}
