import Foundation
import PosGuardDomain
import PosGuardServices
import PosGuardStorage
import PosGuardTestSupport
import Testing

@Suite("Screening desk")
struct ScreeningDeskTests {
    @Test(arguments: TestDatabase.available)
    func decisionsFollowTheRegistryAndDeclinesAreRecorded(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let desk = tenant.app.screening
            #expect(desk.count == 40)
            let admin = try await tenant.caller("admin@harbour.demo")
            let all = try await tenant.allTerminals(admin)
            let stolen = try #require(all.first { $0.state == .stolen })
            let active = try #require(all.first { $0.state == .active })
            func request(_ t: Terminal) -> ScreeningRequest {
                ScreeningRequest(tid: t.tid, mid: t.mid, amountMinor: 990, currency: "EUR", at: tenant.clock.now)
            }
            #expect(desk.screen(request(active), pan: "4761739001010119", channel: "test").approve)
            let declined = desk.screen(request(stolen), pan: "4761739001010119", channel: "test")
            #expect(declined.responseCode == "58" && declined.reasons == [.stolen])
            #expect(try await desk.flush() == 1)
            let declines = try await desk.declines(terminal: stolen.id, after: nil, limit: 10, by: admin).items
            #expect(declines.count == 1 && declines[0].panMasked == "476173******0119")
            // A copy of the database holds the masked number and nothing else derived from the card: no keyed
            // hash beside it (with its key, the six hidden digits fell to a brute force in seconds).
            let stored = try await RawRows.texts(of: "screening_declines", in: db)
            #expect(stored.contains("476173******0119"))
            #expect(!stored.contains { $0.contains("900101") || $0.count >= 32 && $0.allSatisfy(\.isHexDigit) })
            #expect(try await RawRows.texts(of: "instance_secrets", in: db).allSatisfy { !$0.contains("pan_hash") })
            let alerts = try await tenant.app.alerts.list(
                .init(terminalID: stolen.id, rule: .stolenTerminalUsed), after: nil, limit: 5, by: admin)
            let seen = try await tenant.app.alerts.list(.init(terminalID: stolen.id), after: nil, limit: 9, by: admin)
            #expect(
                alerts.items.count == 1 && alerts.items[0].severity == .critical,
                "\(seen.items.map { ($0.rule, $0.occurrences, $0.message) })")

            // A lifecycle move reaches the table without a restart, by the time the move returns.
            _ = try await tenant.app.terminals.move(active.id, .init(to: .maintenance, reason: "repair"), by: admin)
            #expect(desk.screen(request(active), pan: nil, channel: "test").reasons == [.notInService])
            // Another tenant's caller, or another merchant's, does not see these terminals at all.
            #expect(desk.decide(request(stolen), scope: .provider(UUID())).reasons == [.unknownTerminal])
            let otherMerchant = try #require(all.first { $0.merchantID != stolen.merchantID })
            let scope = Scope.merchant(provider: stolen.providerID, merchant: otherMerchant.merchantID)
            #expect(desk.decide(request(stolen), scope: scope).reasons == [.unknownTerminal])
        }
    }

    @Test(arguments: TestDatabase.available)
    func aTIDAndMIDAnotherProviderRegisteredIsDeclinedAndItsPaymentsShownToNeither(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let desk = tenant.app.screening
            let admin = try await tenant.caller("admin@harbour.demo")
            let active = try #require(try await tenant.allTerminals(admin).first { $0.state == .active })
            let request = ScreeningRequest(
                tid: active.tid, mid: active.mid, amountMinor: 990, currency: "EUR", at: tenant.clock.now)
            #expect(desk.screen(request, pan: nil, channel: "iso8583").approve)
            // Another provider registers the same TID and MID (both are printed on receipts): the port cannot
            // tell whose a payment is, so it is declined, and neither provider's log shows it (the payment, its
            // amount and its card belong to one of them only).
            let (other, store) = try await tenant.otherProvider()
            let copy = try await tenant.app.terminals.register(
                .init(
                    storeID: store.id,
                    details: .init(make: "PAX", model: "A920", serial: "COPY-1", tid: active.tid, mid: active.mid)),
                by: other)
            let declined = desk.screen(request, pan: "4761739001010119", channel: "iso8583")
            #expect(declined.responseCode == "58" && declined.reasons == [.ambiguousTerminal])
            #expect(try await desk.flush() == 1)
            #expect(try await desk.declines(terminal: copy.id, after: nil, limit: 10, by: other).items.isEmpty)
            #expect(try await desk.declines(terminal: active.id, after: nil, limit: 10, by: admin).items.isEmpty)
            // Once the other provider's TID changes, the port judges the payment again.
            _ = try await tenant.app.terminals.update(copy.id, .init(tid: "ELSEWHRE"), by: other)
            #expect(desk.screen(request, pan: nil, channel: "iso8583").approve)
        }
    }
}
