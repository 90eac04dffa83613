import Foundation
import SQLKit

/// The schema, as an ordered list of versions. A version, once released, is never edited: a change is a
/// new version appended at the end.
public enum Migrations {
    public struct Migration: Sendable {
        public var version: Int
        public var name: String
        public var statements: [String]
    }

    /// The database holds a schema from a newer PosGuard than this binary.
    public struct SchemaTooNew: Error, CustomStringConvertible {
        public var found: Int
        public var known: Int
        public var description: String {
            "the database schema is at version \(found), but this posguard knows versions up to \(known): "
                + "run a posguard release at least as new as the one that last migrated this database"
        }
    }

    public static let all: [Migration] = [
        Migration(
            version: 1, name: "organisation, terminals, users, sessions, audit log", statements: SchemaV1.statements),
        Migration(
            version: 2, name: "live detection: agents, events, alerts, rosters, commands",
            statements: SchemaV2.statements),
        Migration(
            version: 3, name: "notifications: webhooks, deliveries, email outbox", statements: SchemaV3.statements),
        Migration(version: 4, name: "screening: decline log, instance secrets", statements: SchemaV4.statements),
        Migration(version: 5, name: "command delivery and acknowledgement", statements: SchemaV5.statements),
        Migration(version: 6, name: "offline unlock secrets", statements: SchemaV6.statements),
        Migration(version: 7, name: "declines without card hashes", statements: SchemaV7.statements),
        Migration(
            version: 8, name: "serials unique per provider, store detection memory", statements: SchemaV8.statements),
        Migration(version: 9, name: "TOTP codes used once", statements: SchemaV9.statements),
        Migration(version: 10, name: "bounded decline log", statements: SchemaV10.statements),
        Migration(version: 11, name: "tamper-evident audit log", statements: SchemaV11.statements),
        Migration(version: 12, name: "incidents and their response", statements: SchemaV12.statements),
        Migration(version: 13, name: "incident evidence and its chain of custody", statements: SchemaV13.statements),
        Migration(
            version: 14, name: "incident impact, customer contacts, recovery inspections",
            statements: SchemaV14.statements),
        Migration(version: 15, name: "sign-in throttle shared by instances", statements: SchemaV15.statements),
        Migration(
            version: 16, name: "instances and the slots of detection they hold", statements: SchemaV16.statements),
    ]

    public static var latest: Int { all.last?.version ?? 0 }

    /// The version the database is at (0 for an empty database).
    public static func currentVersion(of database: Database) async throws -> Int {
        try await database.withSQL { db in
            try await ensureVersionTable(db)
            return try await version(db)
        }
    }

    /// Applies every pending migration up to `target` (all of them unless a test stops at an older version, to
    /// check an upgrade), each in its own transaction; returns the versions applied.
    @discardableResult
    public static func migrate(_ database: Database, upTo target: Int = latest, now: Date = Date()) async throws
        -> [Int]
    {
        // Instances starting together on one PostgreSQL must not even create the version table at once (two
        // `CREATE TABLE IF NOT EXISTS` racing can both try to create it).
        try await database.exclusively { try await migrateAlone(database, upTo: target, now: now) }
    }

    private static func migrateAlone(_ database: Database, upTo target: Int, now: Date) async throws -> [Int] {
        try await database.withSQL { try await ensureVersionTable($0) }
        var applied: [Int] = []
        for migration in all where migration.version <= target {
            let done = try await database.sqlTransaction { db -> Bool in
                if database.kind == .postgres {
                    // Two instances starting together on one PostgreSQL must not both run a migration.
                    try await db.raw("SELECT pg_advisory_xact_lock(8583001)").run()
                }
                let current = try await version(db)
                if current > latest { throw SchemaTooNew(found: current, known: latest) }
                guard current < migration.version else { return false }
                for statement in migration.statements { try await db.raw(SQLQueryString(statement)).run() }
                try await db.raw(
                    """
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: migration.version), \(bind: migration.name), \(bind: now.millis))
                    """
                ).run()
                return true
            }
            if done { applied.append(migration.version) }
        }
        let current = try await currentVersion(of: database)
        if current > latest { throw SchemaTooNew(found: current, known: latest) }
        return applied
    }

    /// Refuses to go on unless the schema is exactly what this binary knows.
    public static func requireCurrent(_ database: Database) async throws {
        let current = try await currentVersion(of: database)
        if current > latest { throw SchemaTooNew(found: current, known: latest) }
    }

    static func ensureVersionTable(_ db: any SQLDatabase) async throws {
        try await db.raw(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
        ).run()
    }

    static func version(_ db: any SQLDatabase) async throws -> Int {
        let row = try await db.raw("SELECT MAX(version) AS version FROM schema_migrations").first()
        return try row?.decode(column: "version", as: Int?.self) ?? 0
    }
}
