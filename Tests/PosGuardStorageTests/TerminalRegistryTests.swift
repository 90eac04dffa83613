import Foundation
import PosGuardDomain
import PosGuardServices
import PosGuardStorage
import PosGuardTestSupport
import Testing

@Suite("Terminal registry")
struct TerminalRegistryTests {
    static let lotusAdmin = "admin@lotus-tea.demo"
    static let kiezAdmin = "admin@kiez-baeckerei.demo"
    static let providerAdmin = "admin@harbour.demo"

    func store(_ code: String, _ tenant: DemoTenant, as caller: Caller) async throws -> Store {
        let stores = try await tenant.app.stores.list(merchant: nil, after: nil, limit: 100, by: caller).items
        return try #require(stores.first { $0.code == code })
    }

    @Test(arguments: TestDatabase.available)
    func registrationStartsInInventoryWithHistoryAndAudit(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let admin = try await tenant.caller(Self.lotusAdmin)
            let store = try await store("LTH-SHA-01", tenant, as: admin)
            let terminal = try await tenant.app.terminals.register(
                .init(
                    storeID: store.id,
                    details: .init(
                        make: " Ingenico ", model: "Lane/3000", serial: "LN-0001", tid: "LT000001",
                        mid: "HPM1")),
                by: admin)
            #expect(
                terminal.state == .inventory && terminal.make == "Ingenico" && terminal.merchantID == store.merchantID)
            let history = try await tenant.app.terminals.history(terminal.id, by: admin)
            #expect(history.map(\.to) == [.inventory] && history[0].actor == Self.lotusAdmin)
            let audit = try await tenant.app.auditLog.list(
                target: terminal.id, after: nil, limit: 10, by: try await tenant.caller(Self.providerAdmin))
            #expect(audit.items.map(\.action) == ["terminal.create"])
            #expect(audit.items[0].after?.contains("\"serial\":\"LN-0001\"") == true)
        }
    }

    @Test(arguments: TestDatabase.available)
    func serialsAreUniquePerMakeAndTIDsPerProvider(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let admin = try await tenant.caller(Self.lotusAdmin)
            let store = try await store("LTH-SHA-01", tenant, as: admin)
            _ = try await tenant.app.terminals.register(
                .init(
                    storeID: store.id,
                    details: .init(make: "Ingenico", model: "Lane", serial: "DUP-1", tid: "DUPTID01", mid: "M")),
                by: admin)
            await #expect(
                throws: ServiceError.conflict(field: "serial", message: "INGENICO DUP-1 is already registered")
            ) {
                try await tenant.app.terminals.register(
                    .init(
                        storeID: store.id,
                        details: .init(make: "INGENICO", model: "Lane", serial: "DUP-1", tid: "OTHER001", mid: "M")),
                    by: admin)
            }
            await #expect(
                throws: ServiceError.conflict(
                    field: "tid", message: "TID DUPTID01 is already in use by another terminal")
            ) {
                try await tenant.app.terminals.register(
                    .init(
                        storeID: store.id,
                        details: .init(make: "PAX", model: "A920", serial: "NEW-1", tid: "DUPTID01", mid: "M")),
                    by: admin)
            }
            // Same serial from another maker is a different device.
            _ = try await tenant.app.terminals.register(
                .init(
                    storeID: store.id,
                    details: .init(make: "PAX", model: "A920", serial: "DUP-1", tid: "PAXTID01", mid: "M")),
                by: admin)
        }
    }

    @Test(arguments: TestDatabase.available)
    func lifecycleMovesAreCheckedRecordedAndAudited(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let manager = try await tenant.caller("manager.shanghai@lotus-tea.demo")
            let cashier = try await tenant.caller("cashier.shanghai@lotus-tea.demo")
            let active = try #require(try await tenant.allTerminals(manager, filter: .init(state: .active)).first)

            await #expect(throws: ServiceError.forbidden("a store_operator may not move a terminal to maintenance")) {
                try await tenant.app.terminals.move(active.id, .init(to: .maintenance, reason: "x"), by: cashier)
            }
            let suspected = try await tenant.app.terminals.move(
                active.id, .init(to: .suspectedStolen, reason: "gone from the counter"), by: cashier)
            #expect(suspected.state == .suspectedStolen)
            await #expect(
                throws: ServiceError.illegalTransition(
                    from: .suspectedStolen, to: .maintenance, allowed: [.active, .stolen, .recovered, .retired],
                    message: "a terminal in suspected_stolen cannot move to maintenance")
            ) {
                try await tenant.app.terminals.move(active.id, .init(to: .maintenance, reason: "oops"), by: manager)
            }
            await #expect(throws: ValidationFailure([FieldError("reason", "must not be empty")])) {
                try await tenant.app.terminals.move(active.id, .init(to: .active, reason: "  "), by: manager)
            }
            let history = try await tenant.app.terminals.history(active.id, by: manager)
            #expect(history.last?.from == .active && history.last?.to == .suspectedStolen)
            #expect(
                history.last?.actor == "cashier.shanghai@lotus-tea.demo"
                    && history.last?.reason == "gone from the counter")
            #expect(try await tenant.app.terminals.find(active.id, by: manager).state == .suspectedStolen)
        }
    }

    @Test(arguments: TestDatabase.available)
    func recoveredTerminalsNeedInspectionAndReleaseNeedsMFA(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let admin = try await tenant.caller(Self.kiezAdmin)
            let recovered = try #require(try await tenant.allTerminals(admin, filter: .init(state: .recovered)).first)
            let system = Caller.system("cli", provider: recovered.providerID, at: tenant.clock.now)
            await #expect(throws: ServiceError.self) {
                try await tenant.app.terminals.move(recovered.id, .init(to: .active, reason: "back"), by: system)
            }
            // A failing inspection (a broken seal) does not clear it; a passing one, signed off since, does.
            func inspect(seals: Bool) async throws -> TerminalInspection {
                try await tenant.app.inspections.record(
                    recovered.id,
                    .init(
                        serialMatches: true, sealsIntact: seals, noOverlayOrSkimmer: true, casingIntact: true,
                        firmwareVersion: recovered.firmwareVersion ?? "none"),
                    by: admin)
            }
            #expect(try await inspect(seals: false).failures == ["seals_intact"])
            await #expect(throws: ServiceError.self) {
                try await tenant.app.terminals.move(recovered.id, .init(to: .active, reason: "back"), by: system)
            }
            #expect(try await inspect(seals: true).passed)
            // Returning a recovered terminal to service is a release: an admin needs a fresh TOTP.
            await #expect(
                throws: ServiceError.mfaRequired(
                    "to move a terminal to active needs a TOTP code verified in the last 15 minutes (POST /api/v1/session/totp)"
                )
            ) {
                try await tenant.app.terminals.move(recovered.id, .init(to: .active, reason: "inspected"), by: admin)
            }
            let back = try await tenant.app.terminals.move(
                recovered.id, .init(to: .active, reason: "inspected, seals intact"), by: system)
            #expect(back.state == .active)
            // Containment never waits for a second factor.
            let locked = try await tenant.app.terminals.move(
                back.id, .init(to: .locked, reason: "closing early"), by: admin)
            #expect(locked.state == .locked)
        }
    }

    @Test(arguments: TestDatabase.available)
    func everyReadAndWriteStaysInsideTheCallersScope(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let lotus = try await tenant.caller(Self.lotusAdmin)
            let kiez = try await tenant.caller(Self.kiezAdmin)
            let berlin = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            let police = try await tenant.caller("liaison@police.demo")
            let provider = try await tenant.caller(Self.providerAdmin)

            let lotusTerminals = try await tenant.allTerminals(lotus)
            let kiezTerminals = try await tenant.allTerminals(kiez)
            #expect(lotusTerminals.count == 20 && kiezTerminals.count == 20)
            #expect(Set(lotusTerminals.map(\.id)).isDisjoint(with: kiezTerminals.map(\.id)))
            #expect(try await tenant.allTerminals(provider).count == 40)
            #expect(try await tenant.allTerminals(berlin).count == 10)
            #expect(try await tenant.allTerminals(police).isEmpty)

            let foreign = lotusTerminals[0]
            await #expect(throws: ServiceError.notFound("terminal")) {
                try await tenant.app.terminals.find(foreign.id, by: kiez)
            }
            await #expect(throws: ServiceError.notFound("terminal")) {
                try await tenant.app.terminals.move(foreign.id, .init(to: .maintenance, reason: "x"), by: kiez)
            }
            await #expect(throws: ServiceError.notFound("terminal")) {
                try await tenant.app.terminals.update(foreign.id, .init(model: "hijacked"), by: kiez)
            }
            await #expect(throws: ServiceError.notFound("terminal")) {
                try await tenant.app.terminals.history(foreign.id, by: kiez)
            }
            // A store of another merchant cannot be named as a terminal's store either.
            await #expect(throws: ValidationFailure([FieldError("store_id", "is not a store you manage")])) {
                try await tenant.app.terminals.register(
                    .init(
                        storeID: foreign.storeID,
                        details: .init(make: "PAX", model: "A920", serial: "X-1", tid: "XTID0001", mid: "M")),
                    by: kiez)
            }
            #expect(try await tenant.app.terminals.find(foreign.id, by: lotus).model == foreign.model)
        }
    }

    @Test(arguments: TestDatabase.available)
    func listingsPageWithoutGapsOrRepeatsAndFilter(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let provider = try await tenant.caller(Self.providerAdmin)
            let all = try await tenant.allTerminals(provider)
            #expect(all.count == 40 && Set(all.map(\.id)).count == 40)
            #expect(all.map(\.tid) == all.map(\.tid).sorted(), "pages come in registration order")
            let stolen = try await tenant.allTerminals(provider, filter: .init(state: .stolen))
            #expect(!stolen.isEmpty && stolen.allSatisfy { $0.state == .stolen })
            #expect(stolen.count == all.filter { $0.state == .stolen }.count)
            let store = all[0].storeID
            let byStore = try await tenant.allTerminals(provider, filter: .init(storeID: store))
            #expect(byStore.map(\.id) == all.filter { $0.storeID == store }.map(\.id))
            #expect(Set(all.map(\.state)) == Set(TerminalState.allCases), "the demo fleet shows every state")
        }
    }

    @Test(arguments: TestDatabase.available)
    func csvImportIsAllOrNothingWithAReportByLine(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let admin = try await tenant.caller(Self.lotusAdmin)
            let before = try await tenant.allTerminals(admin).count
            let bad = """
                make,model,serial,tid,mid,store_code
                Ingenico,Move/5000,IMP-1,IMP00001,M1,LTH-SHA-01
                Ingenico,Move/5000,IMP-2,IMP00002,M1,KB-BER-01
                Ingenico,Move/5000,IMP-1,IMP00003,M1,LTH-HGH-01
                PAX,A920,IMP-4,PG000001,M1,LTH-HGH-01
                """
            await #expect(
                throws: ServiceError.importRejected([
                    .init(line: 3, field: "store_code", message: "KB-BER-01 is not a store you manage"),
                    .init(line: 4, field: "serial", message: "repeats the serial of line 2"),
                    .init(line: 5, field: "tid", message: "TID PG000001 is already in use"),
                ])
            ) {
                try await tenant.app.terminals.importCSV(bad, by: admin)
            }
            #expect(try await tenant.allTerminals(admin).count == before, "nothing was written")

            let good =
                "make,model,serial,tid,mid,store_code,state\nIngenico,Move/5000,IMP-1,IMP00001,M1,LTH-SHA-01,active\nPAX,A920,IMP-2,IMP00002,M1,LTH-HGH-01,\n"
            #expect(try await tenant.app.terminals.importCSV(good, by: admin) == 2)
            let imported = try await tenant.allTerminals(admin).filter { $0.serial.hasPrefix("IMP-") }
            #expect(imported.map(\.state) == [.active, .inventory])
            #expect(
                try await tenant.app.terminals.history(imported[0].id, by: admin).map(\.reason) == ["imported from CSV"]
            )
            await #expect(throws: ServiceError.self) { try await tenant.app.terminals.importCSV(good, by: admin) }
            await #expect(throws: ServiceError.forbidden("only provider and merchant admins import terminals")) {
                try await tenant.app.terminals.importCSV(
                    good, by: try await tenant.caller("manager.shanghai@lotus-tea.demo"))
            }
        }
    }
}
