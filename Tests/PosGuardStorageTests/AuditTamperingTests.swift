import Foundation
import PosGuardDomain
import PosGuardServices
@_spi(SQL) import PosGuardStorage
import PosGuardTestSupport
import SQLKit
import Testing

/// The audit log is tamper-evident: whatever is edited, deleted, inserted or reordered directly in the database,
/// the check names the first entry that is not what PosGuard wrote — before and after a signed checkpoint.
@Suite("Tamper-evident audit log")
struct AuditTamperingTests {
    static let providerAdmin = "admin@harbour.demo"

    /// The demo tenant with a signed checkpoint over its audit log; the ids in leaf order.
    func loaded(_ db: Database) async throws -> (DemoTenant, Caller, [String]) {
        let tenant = try await DemoTenant.load(on: db)
        let admin = try await tenant.caller(Self.providerAdmin)
        _ = try await tenant.app.auditLog.checkpoint(by: admin)
        let ids = try await db.withSQL { sql in
            try await sql.select().column("id").from("audit_log").orderBy("leaf_index").all().map {
                try $0.decode(column: "id", as: String.self).uppercased()
            }
        }
        #expect(ids.count > 10)
        let verdict = try await tenant.app.auditLog.verify(by: admin)
        #expect(verdict == AuditVerdict(ok: true, treeSize: ids.count, firstBadEntry: nil, problem: nil))
        return (tenant, admin, ids)
    }

    @Test(arguments: TestDatabase.available)
    func anEditedEntryIsNamed(kind: TestDatabase) async throws {
        try await kind.withMigrated { db in
            let (tenant, admin, ids) = try await loaded(db)
            try await db.withSQL {
                try await $0.raw("UPDATE audit_log SET reason = 'nothing happened' WHERE leaf_index = 3").run()
            }
            let verdict = try await tenant.app.auditLog.verify(by: admin)
            #expect(!verdict.ok && verdict.firstBadEntry == ids[3] && verdict.treeSize == ids.count)
            #expect(verdict.problem?.contains("changed after it was written") == true)
        }
    }

    /// A value given another type (a time made text, as an editor may after changing the column's type) is read
    /// as it stands and its entry named: the check never stops at a row it cannot interpret.
    @Test(arguments: TestDatabase.available)
    func aValueOfAnotherTypeIsNamed(kind: TestDatabase) async throws {
        try await kind.withMigrated { db in
            let (tenant, admin, ids) = try await loaded(db)
            try await db.withSQL { sql in
                if db.kind == .postgres {
                    try await sql.raw("ALTER TABLE audit_log ALTER COLUMN at TYPE TEXT USING at::text").run()
                }
                try await sql.raw("UPDATE audit_log SET at = 'yesterday' WHERE leaf_index = 4").run()
            }
            let verdict = try await tenant.app.auditLog.verify(by: admin)
            #expect(!verdict.ok && verdict.firstBadEntry == ids[4])
            #expect(verdict.problem?.contains("changed after it was written") == true)
        }
    }

    /// An editor who also rewrites the leaf hash, without the master key, is still caught by the seal.
    @Test(arguments: TestDatabase.available)
    func anEditWithItsLeafHashRewrittenIsNamed(kind: TestDatabase) async throws {
        try await kind.withMigrated { db in
            let (tenant, admin, ids) = try await loaded(db)
            try await rewrite(leafIndex: 5, in: db) { $0.actor = "someone else" }
            let verdict = try await tenant.app.auditLog.verify(by: admin)
            #expect(!verdict.ok && verdict.firstBadEntry == ids[5])
            #expect(verdict.problem?.contains("seal") == true)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aDeletedEntryNamesTheOneAfterIt(kind: TestDatabase) async throws {
        try await kind.withMigrated { db in
            let (tenant, admin, ids) = try await loaded(db)
            try await db.withSQL { try await $0.raw("DELETE FROM audit_log WHERE leaf_index = 4").run() }
            let verdict = try await tenant.app.auditLog.verify(by: admin)
            #expect(!verdict.ok && verdict.firstBadEntry == ids[5])
            #expect(verdict.problem?.contains("removed") == true)
        }
    }

    /// Removing the last entries, with the counter turned back, leaves a log shorter than its checkpoint.
    @Test(arguments: TestDatabase.available)
    func entriesRemovedFromTheEndAreCaught(kind: TestDatabase) async throws {
        try await kind.withMigrated { db in
            let (tenant, admin, ids) = try await loaded(db)
            try await db.withSQL { sql in
                try await sql.raw("DELETE FROM audit_log WHERE leaf_index = \(bind: ids.count - 1)").run()
                try await sql.raw("UPDATE audit_tree SET size = size - 1").run()
            }
            let verdict = try await tenant.app.auditLog.verify(by: admin)
            #expect(!verdict.ok && verdict.firstBadEntry == nil && verdict.problem?.contains("from its end") == true)
        }
    }

    /// A forged entry, with its place, its leaf hash and the counter moved on, is named — past the last checkpoint
    /// too; so is a row with no place at all.
    @Test(arguments: TestDatabase.available)
    func anInsertedEntryIsNamed(kind: TestDatabase) async throws {
        try await kind.withMigrated { db in
            let (tenant, admin, ids) = try await loaded(db)
            let forged = UUID().uuidString
            try await insertCopy(of: 2, as: forged.lowercased(), leafIndex: ids.count, in: db)
            try await db.withSQL { try await $0.raw("UPDATE audit_tree SET size = size + 1").run() }
            var verdict = try await tenant.app.auditLog.verify(by: admin)
            #expect(!verdict.ok && verdict.firstBadEntry == forged && verdict.problem?.contains("seal") == true)

            try await db.withSQL {
                try await $0.raw("UPDATE audit_log SET leaf_index = NULL WHERE id = \(bind: forged.lowercased())").run()
            }
            try await db.withSQL { try await $0.raw("UPDATE audit_tree SET size = size - 1").run() }
            verdict = try await tenant.app.auditLog.verify(by: admin)
            #expect(!verdict.ok && verdict.firstBadEntry == forged && verdict.problem?.contains("no place") == true)
        }
    }

    @Test(arguments: TestDatabase.available)
    func reorderedEntriesAreNamed(kind: TestDatabase) async throws {
        try await kind.withMigrated { db in
            let (tenant, admin, ids) = try await loaded(db)
            try await db.withSQL { sql in
                try await sql.raw("UPDATE audit_log SET leaf_index = -1 WHERE leaf_index = 6").run()
                try await sql.raw("UPDATE audit_log SET leaf_index = 6 WHERE leaf_index = 7").run()
                try await sql.raw("UPDATE audit_log SET leaf_index = 7 WHERE leaf_index = -1").run()
            }
            let verdict = try await tenant.app.auditLog.verify(by: admin)
            #expect(!verdict.ok && verdict.firstBadEntry == ids[7])
        }
    }

    /// Entries written after the checkpoint are checked too, and a new checkpoint refuses to sign over an altered
    /// entry.
    @Test(arguments: TestDatabase.available)
    func noCheckpointIsSignedOverAnAlteredEntry(kind: TestDatabase) async throws {
        try await kind.withMigrated { db in
            let (tenant, admin, ids) = try await loaded(db)
            _ = try await tenant.app.merchants.create(.init(name: "Written After The Checkpoint"), by: admin)
            try await rewrite(leafIndex: ids.count, in: db) { $0.reason = "routine" }
            await #expect(throws: ServiceError.self) { try await tenant.app.auditLog.checkpoint(by: admin) }
            let verdict = try await tenant.app.auditLog.verify(by: admin)
            #expect(!verdict.ok && verdict.treeSize > ids.count)
        }
    }

    /// Places are handed out without a gap or a double under concurrent units of work.
    @Test(arguments: TestDatabase.available)
    func concurrentWritersGetEveryPlaceOnce(kind: TestDatabase) async throws {
        try await kind.withMigrated { db in
            let secrets = SecretBox.random()
            let app = PosGuard(runtime: Runtime(database: db, secrets: secrets), hasher: PasswordHasher(cost: 4))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<40 {
                    group.addTask {
                        let entry = AuditEntry(
                            id: app.runtime.ids.next(), at: Date(), providerID: nil, actorID: nil, actor: "test",
                            action: "test.write", targetType: "test", targetID: nil, reason: "writer \(n)")
                        try await db.transaction {
                            try await AuditRepository().append(
                                [entry, entry.with(id: app.runtime.ids.next())],
                                sealedWith: secrets.auditSeal, on: $0)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let places = try await db.withSQL { sql in
                try await sql.select().column("leaf_index").from("audit_log").orderBy("leaf_index").all().map {
                    try $0.decode(column: "leaf_index", as: Int.self)
                }
            }
            #expect(places == Array(0..<80))
            #expect(try await app.auditLog.verify().ok)
        }
    }

    /// A database from before the log was sealed: its entries take their places in id order and get their seals
    /// at the first start with the master key.
    @Test(arguments: TestDatabase.available)
    func entriesWrittenBeforeTheUpgradeBecomeLeavesInIDOrder(kind: TestDatabase) async throws {
        try await kind.withEmpty { db in
            try await Migrations.migrate(db, upTo: 10)
            let ids = (0..<5).map { _ in UUID().uuidString.lowercased() }.sorted()
            try await db.withSQL { sql in
                for (n, id) in ids.reversed().enumerated() {
                    try await sql.raw(
                        """
                        INSERT INTO audit_log (id, at, actor, action, target_type, reason)
                        VALUES (\(bind: id), \(bind: 1_700_000_000_000 + n), 'cli', 'provider.create', 'provider', 'old')
                        """
                    ).run()
                }
            }
            try await Migrations.migrate(db)
            let secrets = SecretBox.random()
            try await SealedSecrets.adopt(secrets, in: db, at: Date())
            let app = PosGuard(runtime: Runtime(database: db, secrets: secrets), hasher: PasswordHasher(cost: 4))
            #expect(
                try await app.auditLog.verify() == AuditVerdict(ok: true, treeSize: 5, firstBadEntry: nil, problem: nil)
            )
            let inOrder = try await db.withSQL { sql in
                try await sql.select().column("id").from("audit_log").orderBy("leaf_index").all().map {
                    try $0.decode(column: "id", as: String.self)
                }
            }
            #expect(inOrder == ids)
            // A row slipped in later with no seal is not sealed at the next start.
            try await insertCopy(of: 0, as: UUID().uuidString.lowercased(), leafIndex: nil, in: db)
            try await SealedSecrets.adopt(secrets, in: db, at: Date())
            #expect(try await app.auditLog.verify().ok == false)
        }
    }

    /// Rewrites the entry at a place as someone with the database but not the master key would: the change, and
    /// its leaf hash recomputed.
    func rewrite(leafIndex: Int, in db: Database, _ change: (inout AuditLeaf) -> Void) async throws {
        try await db.withSQL { sql in
            let row = try #require(
                try await sql.select().column("*").from("audit_log").where("leaf_index", .equal, leafIndex).first())
            var leaf = try Self.leaf(row)
            change(&leaf)
            try await sql.update("audit_log").set("actor", to: leaf.actor).set("reason", to: leaf.reason)
                .set("leaf_hash", to: leaf.hash.hex).where("leaf_index", .equal, leafIndex).run()
        }
    }

    /// Copies the entry at a place into a new row with another id, at `leafIndex`, with a leaf hash that matches.
    func insertCopy(of source: Int, as id: String, leafIndex: Int?, in db: Database) async throws {
        try await db.withSQL { sql in
            try await sql.raw(
                """
                INSERT INTO audit_log (id, at, provider_id, actor_id, actor, action, target_type, target_id, before,
                    after, reason, source, leaf_index, leaf_hash, seal)
                SELECT \(bind: id), at, provider_id, actor_id, actor, action, target_type, target_id, before, after,
                    reason, source, \(bind: leafIndex), leaf_hash, seal
                FROM audit_log WHERE leaf_index = \(bind: source)
                """
            ).run()
            let row = try #require(try await sql.select().column("*").from("audit_log").where("id", .equal, id).first())
            let leaf = try Self.leaf(row)
            try await sql.update("audit_log").set("leaf_hash", to: leaf.hash.hex).where("id", .equal, id).run()
        }
    }
}

extension AuditTamperingTests {
    /// A row as a leaf, read directly.
    static func leaf(_ row: any SQLRow) throws -> AuditLeaf {
        func text(_ column: String) throws -> String? { try row.decode(column: column, as: String?.self) }
        return AuditLeaf(
            id: try text("id")!, atMillis: try row.decode(column: "at", as: Int64.self),
            providerID: try text("provider_id"),
            actorID: try text("actor_id"), actor: try text("actor")!, action: try text("action")!,
            targetType: try text("target_type")!, targetID: try text("target_id"), before: try text("before"),
            after: try text("after"), reason: try text("reason"), source: try text("source"))
    }
}

extension AuditEntry {
    func with(id: UUID) -> AuditEntry {
        var copy = self
        copy.id = id
        return copy
    }
}
