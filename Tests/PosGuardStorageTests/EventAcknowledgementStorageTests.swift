import Foundation
import PosGuardDomain
import PosGuardServices
import PosGuardStorage
import PosGuardTestSupport
import Testing

@Suite("Event acknowledgement storage")
struct EventAcknowledgementStorageTests {
    func heartbeat(_ seq: Int64, at: Date) -> JSONValue {
        .object(["seq": .number(Double(seq)), "type": "heartbeat", "at": .string(RFC3339.format(at))])
    }

    func restart(_ tenant: DemoTenant, on db: Database) async throws -> PosGuard {
        let restarted = PosGuard(
            runtime: Runtime(database: db, secrets: tenant.app.runtime.secrets, now: tenant.clock.function),
            hasher: PasswordHasher(cost: 4))
        try await restarted.memory.restore()
        return restarted
    }

    @Test(arguments: TestDatabase.available)
    func theAcknowledgementAndMissingNumbersSurviveARestart(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            let terminal = try #require(try await tenant.allTerminals(manager, filter: .init(state: .active)).first)
            let now = tenant.clock.now
            let before = try await tenant.app.ingest.ingest(
                [1, 2, 5, 6, 9].map { heartbeat($0, at: now) }, from: terminal.id)
            #expect(before.ackedSeq == 2 && before.missing == [3...4, 7...8])

            let restarted = try await restart(tenant, on: db)
            let after = try await restarted.ingest.ingest([heartbeat(9, at: now)], from: terminal.id)
            #expect(after.ackedSeq == 2 && after.missing == [3...4, 7...8], "the same answer after a restart")
            let filled = try await restarted.ingest.ingest([3, 4].map { heartbeat($0, at: now) }, from: terminal.id)
            #expect(filled.ackedSeq == 6 && filled.missing == [7...8])

            // The wait for 7–8 began before the restart: the watchdog of the new instance gives them up in time.
            tenant.clock.advance(10 * 60 + 61)
            let again = try await restart(tenant, on: db)
            #expect(try await again.silence.sweep() == 1)
            let latest = try await again.ingest.ingest([heartbeat(10, at: tenant.clock.now)], from: terminal.id)
            #expect(latest.ackedSeq == 10 && latest.missing.isEmpty)
            let admin = try await tenant.caller("admin@kiez-baeckerei.demo")
            let gaps = try await again.alerts.list(
                .init(terminalID: terminal.id, rule: .eventGap), after: nil, limit: 10, by: admin)
            #expect(gaps.items.map(\.message) == ["2 events #7–#8 never arrived within 10 minutes"])
            let stored = try await again.ingest.events(of: terminal.id, after: 0, limit: 20, by: admin)
            #expect(stored.map(\.seq) == [1, 2, 3, 4, 5, 6, 9, 10], "each stored once")
        }
    }
}
