import Foundation
import PosGuardDomain
import PosGuardServices
import PosGuardStorage
import PosGuardTestSupport
import Testing

/// Rows that hang off a terminal, a store or a webhook are read only inside a scope: the owner's sees them,
/// another provider's and a sibling merchant's see nothing.
@Suite("Scoped reads")
struct ScopedReadsTests {
    @Test(arguments: TestDatabase.available)
    func childRowsAreReadOnlyInsideTheirOwnersScope(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let admin = try await tenant.caller("admin@harbour.demo")
            let terminal = try #require(try await tenant.allTerminals(admin).first)
            let now = tenant.clock.now
            let secrets = tenant.app.runtime.secrets
            let hook = Webhook(
                id: UUID(), providerID: terminal.providerID, merchantID: terminal.merchantID,
                url: "https://hooks.example/posguard", minimumSeverity: .warning, createdAt: now)
            try await db.transaction { work in
                try await EventRepository().insert(
                    [.init(terminalID: terminal.id, seq: 1, type: "heartbeat", at: now, receivedAt: now, body: "{}")],
                    on: work)
                try await CommandRepository().insert(
                    TerminalCommand(
                        id: UUID(), terminalID: terminal.id, type: .lock, payload: [:], status: .queued, createdAt: now,
                        createdBy: "test", reason: "test"),
                    on: work)
                try await DetectionRepository().putOperator(
                    StoreOperator(storeID: terminal.storeID, operatorID: "op-1", name: "Op", addedAt: now), on: work)
                let notifications = NotificationRepository(secrets: secrets)
                try await notifications.insert(hook, secret: "s3cret-s3cret-s3cret", on: work)
                try await notifications.insert(
                    WebhookDelivery(id: UUID(), webhookID: hook.id, eventType: "test", payload: "{}", createdAt: now),
                    on: work)
            }
            let owner = Scope.merchant(provider: terminal.providerID, merchant: terminal.merchantID)
            let otherProvider = Scope.provider(UUID())
            let siblingMerchant = Scope.merchant(provider: terminal.providerID, merchant: UUID())

            func counts(_ scope: Scope) async throws -> [Int] {
                try await db.withConnection { work in
                    [
                        try await TerminalRepository().history(of: terminal.id, in: scope, on: work).count,
                        try await EventRepository().events(of: terminal.id, after: 0, limit: 10, in: scope, on: work)
                            .count,
                        try await CommandRepository().commands(of: terminal.id, in: scope, on: work).count,
                        try await DetectionRepository().roster(of: terminal.storeID, in: scope, on: work).count,
                        try await NotificationRepository(secrets: secrets).deliveries(
                            of: hook.id, in: scope, after: nil, limit: 10, on: work
                        ).items.count,
                    ]
                }
            }
            #expect(try await counts(owner).allSatisfy { $0 > 0 })
            #expect(try await counts(otherProvider) == [0, 0, 0, 0, 0])
            #expect(try await counts(siblingMerchant) == [0, 0, 0, 0, 0])

            // The audit log names only providers: a whole provider's scope reads it, a narrower one nothing.
            let audit = { (scope: Scope) in
                try await db.withConnection {
                    try await AuditRepository().list(in: scope, target: nil, after: nil, limit: 5, on: $0).items.count
                }
            }
            #expect(try await audit(.provider(terminal.providerID)) > 0)
            #expect(try await audit(owner) == 0)
            #expect(try await audit(otherProvider) == 0)
        }
    }
}
