import Foundation
import PosGuardDomain
import PosGuardServices
@_spi(SQL) import PosGuardStorage
import PosGuardTestSupport
import SQLKit
import Testing

/// The audit log is read a page at a time, each page in a hold of the database of its own (SQLite has one
/// connection, which a whole log read at once kept from every batch of the fleet): checkpoints, proofs and the
/// full check over a log of several pages come out as over the whole log read at once.
@Suite("Audit log read in pages")
struct AuditPagingTests {
    @Test(arguments: TestDatabase.available)
    func checkpointsAndProofsSpanPages(kind: TestDatabase) async throws {
        try await kind.withMigrated { db in
            let tenant = try await DemoTenant.load(on: db)
            let admin = try await tenant.caller("admin@harbour.demo")
            let log = tenant.app.auditLog
            func write(_ count: Int) async throws {
                let entries = (0..<count).map { n in
                    AuditEntry(
                        id: tenant.app.runtime.ids.next(), at: Date(), providerID: admin.scope.providerID, actorID: nil,
                        actor: "test",
                        action: "test.write", targetType: "test", targetID: nil, reason: "entry \(n)")
                }
                try await db.transaction {
                    try await AuditRepository().append(
                        entries, sealedWith: tenant.app.runtime.secrets.auditSeal, on: $0)
                }
            }
            func leaves() async throws -> (ids: [String], hashes: [TreeHash]) {
                let rows = try await db.withSQL { sql in
                    try await sql.select().columns("id", "leaf_hash").from("audit_log").orderBy("leaf_index").all()
                }
                return (
                    try rows.map { try $0.decode(column: "id", as: String.self).uppercased() },
                    try rows.map { TreeHash(hex: try $0.decode(column: "leaf_hash", as: String.self))! }
                )
            }
            func signed(_ note: String) -> Checkpoint? { SignedNote.split(note).flatMap { Checkpoint(text: $0.text) } }

            // More than two pages (2,000 entries each) after the demo's own entries.
            try await write(4_500)
            var (ids, hashes) = try await leaves()
            let first = signed(try await log.checkpoint(by: admin))
            #expect(first?.size == hashes.count && first?.root == MerkleTree.root(hashes[...]))

            // A checkpoint made from the last one and the entries since, across a page boundary.
            try await write(10)
            (ids, hashes) = try await leaves()
            #expect(try await log.checkpointIfGrown() == 10)
            let second = signed(try await log.checkpoint(by: admin))
            #expect(second?.size == hashes.count && second?.root == MerkleTree.root(hashes[...]))

            let index = 2_345
            let inclusion = try await log.inclusionProof(of: UUID(uuidString: ids[index])!, by: admin)
            #expect(inclusion.treeSize == hashes.count)
            #expect(inclusion.auditPath == MerkleTree.auditPath(of: index, in: hashes[...]).map(\.hex))
            let consistency = try await log.consistencyProof(from: first!.size, to: nil, by: admin)
            #expect(consistency.proof == MerkleTree.consistencyProof(from: first!.size, in: hashes[...]).map(\.hex))

            // The full check reads page by page too, and names an entry altered in a later page.
            #expect(
                try await log.verify() == AuditVerdict(ok: true, treeSize: ids.count, firstBadEntry: nil, problem: nil))
            try await db.withSQL {
                try await $0.raw("UPDATE audit_log SET reason = 'nothing happened' WHERE leaf_index = 3000").run()
            }
            let verdict = try await log.verify()
            #expect(!verdict.ok && verdict.firstBadEntry == ids[3_000] && verdict.treeSize == ids.count)
        }
    }
}
