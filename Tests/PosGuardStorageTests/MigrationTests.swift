import Foundation
@_spi(SQL) import PosGuardStorage
import PosGuardTestSupport
import SQLKit
import Testing

@Suite("Migrations")
struct MigrationTests {
    @Test(arguments: TestDatabase.available)
    func freshDatabaseMigratesToLatestAndOnlyOnce(kind: TestDatabase) async throws {
        try await kind.withEmpty { db async throws in
            #expect(try await Migrations.currentVersion(of: db) == 0)
            #expect(try await Migrations.migrate(db) == Migrations.all.map(\.version))
            #expect(try await Migrations.currentVersion(of: db) == Migrations.latest)
            #expect(try await Migrations.migrate(db) == [])
        }
    }

    @Test(arguments: TestDatabase.available)
    func aNewerSchemaIsRefusedWithAClearMessage(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            try await db.withSQL {
                try await $0.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)")
                    .run()
            }
            let error = try await #require(throws: Migrations.SchemaTooNew.self) { try await Migrations.migrate(db) }
            #expect(error.found == 999 && error.known == Migrations.latest)
            #expect(error.description.contains("version 999"))
            await #expect(throws: Migrations.SchemaTooNew.self) { try await Migrations.requireCurrent(db) }
        }
    }

    @Test(arguments: TestDatabase.available)
    func aFailedTransactionLeavesNothingBehind(kind: TestDatabase) async throws {
        struct Boom: Error {}
        try await kind.withMigrated { db async throws in
            await #expect(throws: Boom.self) {
                try await db.sqlTransaction { sql in
                    try await sql.raw("INSERT INTO providers (id, name, created_at) VALUES ('p1', 'Half-written', 0)")
                        .run()
                    throw Boom()
                }
            }
            let rows = try await db.withSQL { try await $0.raw("SELECT id FROM providers").all() }
            #expect(rows.isEmpty)
        }
    }
}
