import Foundation
import Logging
@_spi(SQL) import PosGuardStorage
import SQLKit

/// The databases every storage test runs on: SQLite always, PostgreSQL when
/// `POSGUARD_TEST_DATABASE_URL` names a server. Each test gets a database of its own — a fresh SQLite
/// file, or a fresh PostgreSQL schema — so tests run in parallel without seeing each other.
public enum TestDatabase: String, CaseIterable, Sendable, CustomStringConvertible {
    case sqlite
    case postgres

    public var description: String { rawValue }

    public static var postgresURL: String? {
        ProcessInfo.processInfo.environment["POSGUARD_TEST_DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The kinds available on this machine.
    public static var available: [TestDatabase] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    public static let logger: Logger = {
        var logger = Logger(label: "posguard.test")
        logger.logLevel = .error
        return logger
    }()

    /// Runs `body` with a new, migrated database of this kind, and removes it afterwards. `logger` receives
    /// what the database logs (only errors by default).
    public func withMigrated<T>(logger: Logger = TestDatabase.logger, _ body: (Database) async throws -> T) async throws
        -> T
    {
        try await withEmpty(logger: logger) { db in
            try await Migrations.migrate(db)
            return try await body(db)
        }
    }

    /// Runs `body` with a new database of this kind with no tables at all.
    public func withEmpty<T>(logger: Logger = TestDatabase.logger, _ body: (Database) async throws -> T) async throws
        -> T
    {
        switch self {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "posguard-test-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let db = Database.sqlite(path: directory.appendingPathComponent("test.sqlite").path, logger: logger)
            return try await run(body, on: db)
        case .postgres:
            guard let url = Self.postgresURL else { fatalError("POSGUARD_TEST_DATABASE_URL is not set") }
            let schema = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
            // Small pools: many tests run at once against one server.
            let admin = try Database.postgres(url: url, connectionsPerLoop: 1, logger: Self.logger)
            try await admin.withSQL { try await $0.raw("CREATE SCHEMA \(unsafeRaw: schema)").run() }
            do {
                let db = try Database.postgres(url: url, searchPath: schema, connectionsPerLoop: 2, logger: logger)
                let result = try await run(body, on: db)
                try await admin.withSQL { try await $0.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
                try await admin.close()
                return result
            } catch {
                try? await admin.withSQL { try await $0.raw("DROP SCHEMA \(unsafeRaw: schema) CASCADE").run() }
                try? await admin.close()
                throw error
            }
        }
    }

    private func run<T>(_ body: (Database) async throws -> T, on db: Database) async throws -> T {
        do {
            let result = try await body(db)
            try await db.close()
            return result
        } catch {
            try? await db.close()
            throw error
        }
    }
}
