import Foundation
// SQLite's own C interface, as SQLiteNIO builds it into PosGuard: the benchmarks measure the engine with no driver.
import VaporCSQLite

/// What the benchmarks' raw SQLite limits share: opening a file as PosGuard does, statements, errors.
enum RawSQLite {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Opens the database file at `path` with PosGuard's pragmas (WAL, synchronous NORMAL).
    static func open(_ path: String) throws -> OpaquePointer {
        var db: OpaquePointer?
        guard sqlite_nio_sqlite3_open(path, &db) == SQLITE_OK, let db else { throw Failure(description: "open") }
        try exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000")
        return db
    }

    /// SQLite copies bound text at once (`SQLITE_TRANSIENT`).
    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func exec(_ db: OpaquePointer, _ sql: String) throws {
        guard sqlite_nio_sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw error(db) }
    }

    static func prepare(_ db: OpaquePointer, _ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw error(db)
        }
        return statement
    }

    static func step(_ statement: OpaquePointer, _ db: OpaquePointer) throws {
        defer { sqlite_nio_sqlite3_reset(statement) }
        guard sqlite_nio_sqlite3_step(statement) == SQLITE_DONE else { throw error(db) }
    }

    static func error(_ db: OpaquePointer) -> Failure {
        Failure(description: "SQLite: " + String(cString: sqlite_nio_sqlite3_errmsg(db)))
    }
}
