import Foundation
import Logging
import PostgresKit
import SQLiteKit
import Synchronization

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
    /// The changes units of work made, published after they commit.
    public let changes = ChangeFeed()

    public let logger: Logger
    /// For a dedicated listening connection on PostgreSQL.
    private let postgresConfiguration: PostgresConnection.Configuration?
    /// For another pool on the same database (`sibling`).
    private let postgresAddress: (url: String, searchPath: String?)?
    private let sqlite: EventLoopGroupConnectionPool<SQLiteSource>?
    private let postgres: EventLoopGroupConnectionPool<PostgresConnectionSource>?

    /// The event loop SQLite's connections answer on, its own: on one shared with the HTTP server, every
    /// statement's answer waited behind requests being served (measured: 0.2 to 5 ms for the same insert).
    static let sqliteLoop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    static let sqliteExecutor = LoopExecutor(sqliteLoop.next())

    /// Where work that does little but wait on the database runs best (`GroupCommit`): SQLite's own loop.
    var preferredExecutor: (any TaskExecutor)? { kind == .sqlite ? Self.sqliteExecutor : nil }

    /// Opens (creating if needed) an SQLite database file in WAL mode.
    public static func sqlite(path: String, logger: Logger) -> Database {
        let source = SQLiteSource(base: SQLiteConnectionSource(configuration: .init(storage: .file(path: path))))
        let pool = EventLoopGroupConnectionPool(
            source: source, maxConnectionsPerEventLoop: 1, requestTimeout: .seconds(60), pruneInterval: nil,
            logger: logger, on: sqliteLoop.next())
        return Database(
            kind: .sqlite, logger: logger, sqlite: pool, postgres: nil, postgresConfiguration: nil,
            postgresAddress: nil)
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
            postgresConfiguration: configuration.coreConfiguration, postgresAddress: (url, searchPath))
    }

    /// Another, independent pool on the same PostgreSQL database, with a change feed of its own: what a
    /// second PosGuard instance opens (for tests of several instances in one process).
    public func sibling() throws -> Database {
        guard let address = postgresAddress else { throw UnsupportedURL() }
        return try .postgres(url: address.url, searchPath: address.searchPath, connectionsPerLoop: 2, logger: logger)
    }

    private init(
        kind: Kind, logger: Logger, sqlite: EventLoopGroupConnectionPool<SQLiteSource>?,
        postgres: EventLoopGroupConnectionPool<PostgresConnectionSource>?,
        postgresConfiguration: PostgresConnection.Configuration?, postgresAddress: (url: String, searchPath: String?)?
    ) {
        self.kind = kind
        self.logger = logger
        self.sqlite = sqlite
        self.postgres = postgres
        self.postgresConfiguration = postgresConfiguration
        self.postgresAddress = postgresAddress
    }

    /// Runs `body` on a PostgreSQL connection of its own, outside the pool, closed when `body` ends: for
    /// session state — advisory locks — that must end with the connection and never pass to other work. A
    /// statement that has not answered within `deadline` (a connection the server dropped can leave one
    /// waiting for ever) closes the connection, which fails it.
    public func withOwnConnection<T: Sendable>(deadline: Duration, _ body: (Deadlined) async throws -> T) async throws
        -> T
    {
        guard let configuration = postgresConfiguration else { throw UnsupportedURL() }
        return try await onConnectionOfItsOwn(configuration) { connection in
            if let schema = postgresAddress?.searchPath {
                try await connection.sql(queryLogLevel: nil).raw("SET search_path TO \(ident: schema)").run()
            }
            return try await body(
                Deadlined(
                    work: UnitOfWork(connection.sql(queryLogLevel: nil), driver: .postgres(connection)),
                    connection: connection, deadline: deadline))
        }
    }

    /// Runs `body` on a new PostgreSQL connection, outside the pool, and closes it when `body` ends, however.
    private func onConnectionOfItsOwn<T>(
        _ configuration: PostgresConnection.Configuration, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 0, logger: logger
        ).get()
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// A connection of its own whose every use is bounded in time (see `withOwnConnection`).
    public struct Deadlined: Sendable {
        let work: UnitOfWork
        let connection: PostgresConnection
        let deadline: Duration

        /// Runs `body` on the connection; past the deadline the connection is closed and this throws
        /// `DeadlineExceeded` at once, whether or not `body` ever returns.
        public func run<T: Sendable>(_ body: @escaping @Sendable (UnitOfWork) async throws -> T) async throws -> T {
            let (work, connection) = (self.work, self.connection)
            // A connection the server closed meanwhile would leave the statement waiting: fail at once instead.
            guard !connection.isClosed else { throw DeadlineExceeded() }
            let waiting = Mutex<CheckedContinuation<T, any Error>?>(nil)
            let finish = { @Sendable (outcome: Result<T, any Error>) in
                waiting.withLock { continuation in
                    continuation?.resume(with: outcome)
                    continuation = nil
                }
            }
            return try await withCheckedThrowingContinuation { continuation in
                waiting.withLock { $0 = continuation }
                let task = Task {
                    do {
                        finish(.success(try await body(work)))
                    } catch {
                        finish(.failure(error))
                    }
                }
                let watchdog = connection.eventLoop.scheduleTask(
                    in: .nanoseconds(Int64(deadline.components.seconds) * 1_000_000_000)
                ) {
                    task.cancel()
                    connection.close().whenComplete { _ in }
                    finish(.failure(DeadlineExceeded()))
                }
                Task {
                    _ = await task.result
                    watchdog.cancel()
                }
            }
        }
    }

    /// A connection of its own was lost, or a statement on it did not answer in time (and it was closed).
    public struct DeadlineExceeded: Error, CustomStringConvertible {
        public var description: String { "the connection was lost or the database did not answer in time" }
    }

    /// Listens on the channel over a connection of its own until cancelled or the connection fails; `onListening`
    /// runs once the subscription is in place (PostgreSQL only).
    public func listen(
        _ channel: String, onListening: @Sendable () async -> Void, _ receive: @Sendable (String) async -> Void
    ) async throws {
        guard let configuration = postgresConfiguration else { return }
        try await onConnectionOfItsOwn(configuration) { connection in
            try await connection.listen(on: channel) { notifications in
                await onListening()
                for try await notification in notifications { await receive(notification.payload) }
            }
        }
    }

    /// Runs `body` while this instance holds PosGuard's set-up lock (a PostgreSQL advisory lock, held by a
    /// connection of its own while `body` works on others), so that instances starting together on one
    /// database set up what they share — the demo tenant — one after another. On SQLite, one process owns the
    /// file and `body` just runs.
    public func exclusively<T>(_ body: () async throws -> T) async throws -> T {
        guard kind == .postgres else { return try await body() }
        return try await withConnection { db in
            try await db.sql.raw("SELECT pg_advisory_lock(8583003)").run()
            do {
                let result = try await body()
                try await db.sql.raw("SELECT pg_advisory_unlock(8583003)").run()
                return result
            } catch {
                try? await db.sql.raw("SELECT pg_advisory_unlock(8583003)").run()
                throw error
            }
        }
    }

    /// Runs `body` with a connection of its own for its whole duration, each statement committed as it runs;
    /// the changes it recorded are published once it returns.
    public func withConnection<T>(_ body: (UnitOfWork) async throws -> T) async throws -> T {
        let work = try await classified {
            try await withDriver { sql, driver in
                let work = UnitOfWork(sql, driver: driver)
                return (work, try await body(work))
            }
        }
        await publish(work.0)
        return work.1
    }

    /// Runs `body` in one transaction: everything it wrote is committed together, or nothing is. The changes
    /// it recorded are published once it has committed — never for a unit rolled back.
    public func transaction<T>(_ body: (UnitOfWork) async throws -> T) async throws -> T {
        let work = try await classified {
            try await driverTransaction { sql, driver in
                let work = UnitOfWork(sql, driver: driver)
                let result = try await body(work)
                // PostgreSQL delivers a notification sent inside a transaction when, and only if, it commits, in
                // commit order.
                try await notify(work, on: sql)
                return (work, result)
            }
        }
        await publish(work.0)
        return work.1
    }

    /// A transaction on a bare connection (migrations, secret adoption): nothing it writes is announced.
    @_spi(SQL) public func sqlTransaction<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await driverTransaction { sql, _ in try await body(sql) }
    }

    private func driverTransaction<T>(_ body: (any SQLDatabase, DriverConnection) async throws -> T) async throws -> T {
        try await withDriver { sql, driver in
            // IMMEDIATE takes SQLite's write lock up front, so a transaction never fails half-way to upgrade.
            try await sql.raw(kind == .sqlite ? "BEGIN IMMEDIATE" : "BEGIN").run()
            do {
                let result = try await body(sql, driver)
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// The channel on which instances sharing one PostgreSQL tell each other of changes.
    static let changeChannel = "posguard_changes"

    /// Tells this instance's listeners of a unit's changes, after its connection is free again (on SQLite's
    /// single connection, a listener reloading would otherwise wait on itself); and, for a unit outside a
    /// transaction, every other instance.
    private func publish(_ work: UnitOfWork) async {
        let changes = ChangeFeed.condensed(work.changes)
        guard !changes.isEmpty else { return }
        await self.changes.publish(changes)
    }

    /// Sends the unit's changes to the other instances on the same PostgreSQL, as one notification of
    /// `<instance>|<change>,<change>…` (PostgreSQL only). A lost notification is healed by the full reload
    /// each listener does when it (re)connects (`ChangeRelay`).
    private func notify(_ work: UnitOfWork, on sql: any SQLDatabase) async throws {
        guard kind == .postgres else { return }
        let changes = ChangeFeed.condensed(work.changes)
        guard !changes.isEmpty else { return }
        let payload = "\(self.changes.instance.uuidString)|" + changes.map(\.text).joined(separator: ",")
        try await sql.raw("SELECT pg_notify(\(bind: Self.changeChannel), \(bind: payload))").run()
    }

    /// Runs `body` with a bare connection: for migrations, and for tests and benchmarks that look at rows
    /// directly. Nothing it writes is announced.
    ///
    /// Statements are never logged: SQLKit logs a statement with its bound values, and those carry secrets
    /// (webhook signing secrets, password hashes, TOTP secrets).
    @_spi(SQL) public func withSQL<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await withDriver { sql, _ in try await body(sql) }
    }

    /// A connection of its own for the duration of `body`, through SQLKit and as the driver's.
    private func withDriver<T>(_ body: (any SQLDatabase, DriverConnection) async throws -> T) async throws -> T {
        if let pool = sqlite {
            let connection = try await pool.requestConnection(logger: logger).get()
            defer { pool.releaseConnection(connection, logger: logger) }
            return try await body(connection.sql(queryLogLevel: nil), .sqlite(connection))
        }
        let pool = postgres!
        let connection = try await pool.requestConnection(logger: logger).get()
        defer { pool.releaseConnection(connection, logger: logger) }
        return try await body(connection.sql(queryLogLevel: nil), .postgres(connection))
    }

    /// Whether the database answers a trivial query.
    public func isReachable() async -> Bool {
        (try? await withSQL { try await $0.raw("SELECT 1 AS ok").first() }) != nil
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

    /// Whether `error` is the database refusing a duplicate of a unique key (and not another constraint).
    static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] == "23505" }
        if let error = error as? SQLiteError {
            return error.reason == .constraintUniqueFailed || error.reason == .constraintPrimaryKeyFailed
                || error.reason == .constraint && error.message.hasPrefix("UNIQUE constraint failed")
        }
        return false
    }

    /// A unit of work refused because another one, committed meanwhile, wrote the same unique key: the
    /// checks it made before writing could not see that one. Nothing of it was written; it may be decided
    /// anew.
    public struct DuplicateEntry: Error, CustomStringConvertible {
        public init() {}

        public var description: String {
            "another request wrote the same entry at the same moment: nothing was changed"
        }
    }

    /// Rethrows a unique violation as `DuplicateEntry`, the same on both databases.
    private func classified<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch  where Self.isUniqueViolation(error) {
            throw DuplicateEntry()
        }
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
