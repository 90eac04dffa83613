import Foundation
import PosGuardDomain
import PosGuardServices
import PosGuardStorage
import PosGuardTestSupport
import Testing

/// Serial numbers, TIDs and store codes are unique inside a provider only: registering what another
/// provider holds succeeds, so the answer never tells one tenant about another's fleet.
@Suite("Uniqueness per tenant")
struct TenantUniquenessTests {
    func details(like t: Terminal, tid: String? = nil) -> TerminalDetails {
        TerminalDetails(make: t.make.uppercased(), model: t.model, serial: t.serial, tid: tid ?? t.tid, mid: "OTHERMID")
    }

    @Test(arguments: TestDatabase.available)
    func anotherProvidersSerialTIDAndStoreCodeAreFreeToUse(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let demo = try await tenant.allTerminals(try await tenant.caller("admin@harbour.demo"))
            // The other provider names its store like a demo store, and registers the demo's devices.
            let (other, store) = try await tenant.otherProvider(storeCode: "KB-BER-01")
            let registered = try await tenant.app.terminals.register(
                .init(storeID: store.id, details: details(like: demo[0])), by: other)
            #expect(registered.serial == demo[0].serial && registered.tid == demo[0].tid)
            let edited = try await tenant.app.terminals.update(
                registered.id, .init(make: demo[1].make, serial: demo[1].serial, tid: demo[1].tid), by: other)
            #expect(edited.serial == demo[1].serial)
            let csv = """
                make,model,serial,tid,mid,store_code
                \(demo[2].make),\(demo[2].model),\(demo[2].serial),\(demo[2].tid),OTHERMID,KB-BER-01
                """
            #expect(try await tenant.app.terminals.importCSV(csv, by: other) == 1)
            #expect(try await tenant.allTerminals(other).count == 2)
        }
    }

    @Test(arguments: TestDatabase.available)
    func insideOneProviderTheyStayUnique(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let (other, store) = try await tenant.otherProvider()
            let first = try await tenant.app.terminals.register(
                .init(
                    storeID: store.id,
                    details: .init(make: "Ingenico", model: "Lane", serial: "SAME-1", tid: "SAMETID1", mid: "M")),
                by: other)
            await #expect(
                throws: ServiceError.conflict(field: "serial", message: "INGENICO SAME-1 is already registered")
            ) {
                try await tenant.app.terminals.register(
                    .init(storeID: store.id, details: details(like: first, tid: "SAMETID2")), by: other)
            }
            await #expect(
                throws: ServiceError.conflict(
                    field: "tid", message: "TID SAMETID1 is already in use by another terminal")
            ) {
                try await tenant.app.terminals.register(
                    .init(
                        storeID: store.id,
                        details: .init(make: "PAX", model: "A920", serial: "SAME-2", tid: "SAMETID1", mid: "M")),
                    by: other)
            }
            let csv = """
                make,model,serial,tid,mid,store_code
                ingenico,Lane,SAME-1,SAMETID3,M,OTHER-01
                """
            await #expect(
                throws: ServiceError.importRejected([
                    .init(line: 2, field: "serial", message: "ingenico SAME-1 is already registered")
                ])
            ) { try await tenant.app.terminals.importCSV(csv, by: other) }
            await #expect(
                throws: ServiceError.conflict(
                    field: "code", message: "another store of this provider already has code OTHER-01")
            ) {
                try await tenant.app.stores.create(
                    .init(
                        merchantID: store.merchantID, code: "OTHER-01", name: "Twin", address: "2 Other St",
                        city: "Vienna", country: "AT", timeZone: "Europe/Vienna", businessHours: store.businessHours,
                        geofence: store.geofence),
                    by: other)
            }
        }
    }

    /// The database holds the same line as the registry, so two registrations racing past the check
    /// cannot both land inside one provider, yet never collide across providers.
    @Test(arguments: TestDatabase.available)
    func theDatabaseIndexesAreScopedTheSameWay(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let demo = try #require(try await tenant.allTerminals(try await tenant.caller("admin@harbour.demo")).first)
            let (_, store) = try await tenant.otherProvider()
            func copy(in providerID: UUID, storeID: UUID, merchantID: UUID) -> Terminal {
                var t = demo
                t.id = tenant.app.runtime.ids.next()
                t.providerID = providerID
                t.merchantID = merchantID
                t.storeID = storeID
                t.make = demo.make.lowercased()
                t.tid = "T" + t.id.uuidString.prefix(7)
                return t
            }
            let repository = TerminalRepository()
            try await db.withConnection {
                try await repository.insert(
                    [copy(in: store.providerID, storeID: store.id, merchantID: store.merchantID)], on: $0)
            }
            await #expect(throws: (any Error).self) {
                try await db.withConnection {
                    try await repository.insert(
                        [copy(in: demo.providerID, storeID: demo.storeID, merchantID: demo.merchantID)], on: $0)
                }
            }
        }
    }
}
