import Foundation
import Logging
import PostgresKit
import SQLiteKit

/// A connection to PosGuard's database, SQLite or PostgreSQL, with transactions that work the same on both.
///
/// SQLite gets a single connection: every use of it is exclusive, so a transaction can never interleave
/// with another request's statements, and WAL lets outside readers (backups, `sqlite3`) look in meanwhile.
/// PostgreSQL gets a pool.
// The connection pools guard their own state with a lock; `Database` adds no mutable state of its own.
public final class Database: @unchecked Sendable {
    public enum Kind: String, Sendable { case sqlite, postgres }

    public struct UnsupportedURL: Error, CustomStringConvertible {
        public var description: String {
            "DATABASE_URL must start with postgres:// or postgresql:// (leave it unset to use SQLite)"
        }
    }

    public let kind: Kind
    let logger: Logger
    /// For a dedicated listening connection on PostgreSQL.
    private let postgresConfiguration: PostgresConnection.Configuration?
    private let sqlite: EventLoopGroupConnectionPool<SQLiteSource>?
    private let postgres: EventLoopGroupConnectionPool<PostgresConnectionSource>?

    /// Opens (creating if needed) an SQLite database file in WAL mode.
    public static func sqlite(path: String, logger: Logger) -> Database {
        let source = SQLiteSource(base: SQLiteConnectionSource(configuration: .init(storage: .file(path: path))))
        let pool = EventLoopGroupConnectionPool(
            source: source, maxConnectionsPerEventLoop: 1, requestTimeout: .seconds(60), pruneInterval: nil,
            logger: logger, on: MultiThreadedEventLoopGroup.singleton.next())
        return Database(kind: .sqlite, logger: logger, sqlite: pool, postgres: nil, postgresConfiguration: nil)
    }

    /// Connects to PostgreSQL; `searchPath` puts every table in that schema (tests use one schema each).
    /// The pool keeps up to `connectionsPerLoop` connections on each of NIO's event loops.
    public static func postgres(url: String, searchPath: String? = nil, connectionsPerLoop: Int = 4, logger: Logger)
        throws
        -> Database
    {
        guard url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") else { throw UnsupportedURL() }
        var configuration = try SQLPostgresConfiguration(url: url)
        if let searchPath { configuration.searchPath = [searchPath] }
        let pool = EventLoopGroupConnectionPool(
            source: PostgresConnectionSource(sqlConfiguration: configuration),
            maxConnectionsPerEventLoop: connectionsPerLoop,
            requestTimeout: .seconds(30), pruneInterval: nil, logger: logger, on: MultiThreadedEventLoopGroup.singleton)
        return Database(
            kind: .postgres, logger: logger, sqlite: nil, postgres: pool,
            postgresConfiguration: configuration.coreConfiguration)
    }

    private init(
        kind: Kind, logger: Logger, sqlite: EventLoopGroupConnectionPool<SQLiteSource>?,
        postgres: EventLoopGroupConnectionPool<PostgresConnectionSource>?,
        postgresConfiguration: PostgresConnection.Configuration?
    ) {
        self.kind = kind
        self.logger = logger
        self.sqlite = sqlite
        self.postgres = postgres
        self.postgresConfiguration = postgresConfiguration
    }

    /// Sends a notification to every listener on the channel (PostgreSQL only; elsewhere it does nothing).
    public func notify(_ channel: String, _ payload: String) async throws {
        guard kind == .postgres else { return }
        try await withConnection { try await $0.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run() }
    }

    /// Listens on the channel over a connection of its own until cancelled or the connection fails; `onListening`
    /// runs once the subscription is in place (PostgreSQL only).
    public func listen(
        _ channel: String, onListening: @Sendable () async -> Void, _ receive: @Sendable (String) async -> Void
    ) async throws {
        guard let configuration = postgresConfiguration else { return }
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 0, logger: logger
        ).get()
        do {
            try await connection.listen(on: channel) { notifications in
                await onListening()
                for try await notification in notifications { await receive(notification.payload) }
            }
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Runs `body` with a connection of its own for its whole duration.
    ///
    /// Statements are never logged: SQLKit logs a statement with its bound values, and those carry secrets
    /// (webhook signing secrets, password hashes, TOTP secrets).
    public func withConnection<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        if let pool = sqlite {
            let connection = try await pool.requestConnection(logger: logger).get()
            defer { pool.releaseConnection(connection, logger: logger) }
            return try await body(connection.sql(queryLogLevel: nil))
        }
        let pool = postgres!
        let connection = try await pool.requestConnection(logger: logger).get()
        defer { pool.releaseConnection(connection, logger: logger) }
        return try await body(connection.sql(queryLogLevel: nil))
    }

    /// Runs `body` in one transaction: everything it wrote is committed together, or nothing is.
    public func transaction<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await withConnection { db in
            // IMMEDIATE takes SQLite's write lock up front, so a transaction never fails half-way to upgrade.
            try await db.raw(kind == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN").run()
            do {
                let result = try await body(db)
                try await db.raw("COMMIT").run()
                return result
            } catch {
                try? await db.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// Whether the database answers a trivial query.
    public func isReachable() async -> Bool {
        (try? await withConnection { try await $0.raw("SELECT 1 AS ok").first() }) != nil
    }

    public func close() async throws {
        try await sqlite?.shutdownAsync()
        try await postgres?.shutdownAsync()
    }

    /// Whether `error` means the database cannot serve right now — down, restarting, unreachable, out of
    /// connections or disk, or busy past its timeout — so the request may be retried later. The transaction it
    /// was part of is rolled back: nothing was half-written.
    public static func isUnavailable(_ error: any Error) -> Bool {
        switch error {
        case is ConnectionPoolTimeoutError, is ConnectionPoolError, is NIOConnectionError, is IOError,
            is ChannelError:
            return true
        case let error as PSQLError:
            if [.connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection, .poolClosed]
                .contains(error.code)
            {
                return true
            }
            // Class 08 connection exceptions, 53 insufficient resources, 57P0x shutdowns and restarts.
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("53") || state.hasPrefix("57P")
        case let error as SQLiteError:
            return [.busy, .locked, .full, .ioError, .cantOpen].contains(error.reason)
        default:
            return false
        }
    }

    /// Whether `error` is the database refusing a duplicate of a unique key.
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] == "23505" }
        if let error = error as? SQLiteError {
            return error.reason == .constraint || error.reason == .constraintUniqueFailed
        }
        return false
    }
}

/// SQLite connections set up for a server: WAL journal, a busy timeout, fsync at checkpoints only.
struct SQLiteSource: ConnectionPoolSource {
    let base: SQLiteConnectionSource

    func makeConnection(logger: Logger, on eventLoop: any EventLoop) -> EventLoopFuture<SQLiteConnection> {
        base.makeConnection(logger: logger, on: eventLoop).flatMap { connection in
            connection.query("PRAGMA journal_mode = WAL")
                .flatMap { _ in connection.query("PRAGMA synchronous = NORMAL") }
                .flatMap { _ in connection.query("PRAGMA busy_timeout = 5000") }
                .map { _ in connection }
        }
    }
}
