import Foundation
import PosGuardDomain
import PosGuardStorage
import PosGuardTestSupport
import Testing

@testable import PosGuardServices

@Suite("Detection storage")
struct DetectionStorageTests {
    func event(_ seq: Int, _ type: String, at: Date, _ fields: [String: JSONValue] = [:]) -> JSONValue {
        var object: [String: JSONValue] = [
            "seq": .number(Double(seq)), "type": .string(type), "at": .string(RFC3339.format(at)),
        ]
        object.merge(fields) { $1 }
        return .object(object)
    }

    func berlinTerminal(_ tenant: DemoTenant) async throws -> Terminal {
        let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
        return try #require(try await tenant.allTerminals(manager, filter: .init(state: .active)).first)
    }

    @Test(arguments: TestDatabase.available)
    func aStartReadsEveryTerminalsSavedMemory(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let (other, _) = try await tenant.otherProvider()
            // Enough terminals that the memories are read in several parts.
            let csv =
                "make,model,serial,tid,mid,store_code\n"
                + (1...2_500).map { "PAX,A920,FLEET-\($0),F\(String(format: "%07d", $0)),M1,OTHER-01" }.joined(
                    separator: "\n")
            #expect(try await tenant.app.terminals.importCSV(csv, by: other) == 2_500)
            let fleet = try await tenant.allTerminals(other)
            let saved = Dictionary(
                uniqueKeysWithValues: fleet.enumerated().map { index, terminal in
                    var watch = TerminalWatch()
                    watch.lastSeq = Int64(index + 1)
                    watch.accuracies = ["gps": [Double(index)]]
                    return (terminal.id, watch)
                })
            try await db.transaction { work in
                try await EventRepository().saveWatches(
                    saved.map { ($0.key, try $0.value.json()) }, at: tenant.clock.now, on: work)
            }
            let restarted = PosGuard(
                runtime: Runtime(database: db, secrets: tenant.app.runtime.secrets, now: tenant.clock.function),
                hasher: PasswordHasher(cost: 4))
            try await restarted.memory.restore()
            #expect(restarted.memory.watchCount == 2_500)
            #expect(saved.allSatisfy { restarted.memory.watch(of: $0.key) == $0.value })
        }
    }

    @Test(arguments: TestDatabase.available)
    func ingestStoresOnceRaisesAlertsContainsAndSurvivesARestart(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let terminal = try await berlinTerminal(tenant)
            let now = tenant.clock.now
            let first = try await tenant.app.ingest.ingest(
                [event(1, "heartbeat", at: now), event(2, "sim", at: now, ["iccid": .string("8949000000000000042")])],
                from: terminal.id)
            #expect(first.ackedSeq == 2 && first.alerts.isEmpty)
            let admin = try await tenant.caller("admin@kiez-baeckerei.demo")
            #expect(
                try await tenant.app.terminals.find(terminal.id, by: admin).iccid == "8949000000000000042",
                "first SIM adopted")

            let swap = try await tenant.app.ingest.ingest(
                [event(2, "heartbeat", at: now), event(3, "sim", at: now, ["iccid": .string("8949000000000000666")])],
                from: terminal.id)
            #expect(swap.ackedSeq == 3 && swap.alerts.map(\.rule) == [.simSwap])
            #expect(swap.commands.map(\.type) == [.lock])
            #expect(try await tenant.app.terminals.find(terminal.id, by: admin).state == .suspectedStolen)
            let stored = try await tenant.app.ingest.events(of: terminal.id, after: 0, limit: 10, by: admin)
            #expect(stored.map(\.seq) == [1, 2, 3], "the resent #2 was not stored twice")

            // A new instance over the same database resumes from the saved watch.
            let restarted = PosGuard(
                runtime: Runtime(database: db, secrets: tenant.app.runtime.secrets, now: tenant.clock.function),
                hasher: PasswordHasher(cost: 4))
            try await restarted.memory.restore()
            #expect(restarted.memory.watch(of: terminal.id).lastSeq == 3)
            #expect(restarted.memory.watch(of: terminal.id).iccid == "8949000000000000666")
            let again = try await restarted.ingest.ingest(
                [event(3, "heartbeat", at: now), event(4, "heartbeat", at: now)], from: terminal.id)
            #expect(again.ackedSeq == 4 && again.alerts.isEmpty)
            let alerts = try await restarted.alerts.list(
                .init(terminalID: terminal.id), after: nil, limit: 10, by: admin)
            #expect(alerts.items.map(\.rule) == [.simSwap] && alerts.items[0].occurrences == 1)
        }
    }

    @Test(arguments: TestDatabase.available)
    func terminalsFirstHeardFromTogetherAreEachJudgedInTheirOwnContext(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let admin = try await tenant.caller("admin@harbour.demo")
            let terminals = try await tenant.allTerminals(admin)
            let stores = Set(terminals.map(\.storeID)).sorted { $0.uuidString < $1.uuidString }
            #expect(stores.count > 2)
            let detection = tenant.app.detection
            var merchantWide = DetectionOverrides()
            merchantWide.maxSpeedKmh = 400
            var storeWide = DetectionOverrides()
            storeWide.offlineAfterMinutes = 45
            var own = DetectionOverrides()
            own.failedLoginBurst = 9
            _ = try await detection.setSettings(.merchant, terminals[0].merchantID, merchantWide, by: admin)
            _ = try await detection.setSettings(.store, stores[0], storeWide, by: admin)
            _ = try await detection.setSettings(.terminal, terminals[1].id, own, by: admin)
            _ = try await detection.putOperator("op-7", .init(name: "Seven"), store: stores[1], by: admin)

            // A fresh memory (as after a start): every terminal is first heard from now, all at once, and
            // their contexts are read together.
            let memory = DetectionMemory(runtime: tenant.app.runtime)
            let unknown = UUID()
            let subjects = try await withThrowingTaskGroup(of: (UUID, DetectionMemory.Subject?).self) { group in
                for id in terminals.map(\.id) + [unknown] { group.addTask { (id, try await memory.subject(id)) } }
                return try await group.reduce(into: [UUID: DetectionMemory.Subject?]()) { $0[$1.0] = $1.1 }
            }
            #expect(subjects.count == terminals.count + 1)
            #expect(subjects.keys.contains(unknown) && subjects[unknown]! == nil, "an unknown terminal has no subject")
            for t in terminals {
                let store = try await tenant.app.stores.find(t.storeID, by: admin)
                let expected = DetectionContext(
                    terminal: t, store: store,
                    roster: Set(try await detection.roster(of: t.storeID, by: admin).map(\.operatorID)),
                    merchantOverrides: try await detection.settings(.merchant, t.merchantID, by: admin).overrides,
                    storeOverrides: try await detection.settings(.store, t.storeID, by: admin).overrides,
                    terminalOverrides: try await detection.settings(.terminal, t.id, by: admin).overrides)
                let subject = try #require(subjects[t.id] ?? nil)
                #expect(subject.terminal == t)
                #expect(subject.context == expected, "terminal \(t.tid)")
            }
            let tuned = try #require(subjects[terminals[1].id] ?? nil)
            #expect(tuned.context.settings.failedLoginBurst == 9)
            #expect(try #require(subjects[terminals[0].id] ?? nil).context.settings.maxSpeedKmh == 400)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aStoresSharedFactsReadForOneTerminalAreDroppedWithAnyChangeToThem(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let admin = try await tenant.caller("admin@harbour.demo")
            let terminals = try await tenant.allTerminals(admin)
            let byStore = Dictionary(grouping: terminals, by: \.storeID).values.filter { $0.count >= 4 }
            let tills = try #require(byStore.first)
            let store = tills[0].storeID
            let detection = tenant.app.detection
            let memory = DetectionMemory(runtime: tenant.app.runtime)
            // The first terminal's context reads the store's facts; each change below must reach the next
            // terminal of the same store, first heard from after it.
            let roster = try #require(try await memory.subject(tills[0].id)).context.roster.union(["op-9"])
            _ = try await detection.putOperator("op-9", .init(name: "Nine"), store: store, by: admin)
            #expect(try await memory.subject(tills[1].id)?.context.roster == roster, "the roster")

            var storeWide = DetectionOverrides()
            storeWide.offlineAfterMinutes = 45
            _ = try await detection.setSettings(.store, store, storeWide, by: admin)
            #expect(try await memory.subject(tills[2].id)?.context.settings.offlineAfterMinutes == 45, "the store's")

            var merchantWide = DetectionOverrides()
            merchantWide.maxSpeedKmh = 400
            _ = try await detection.setSettings(.merchant, tills[0].merchantID, merchantWide, by: admin)
            let third = try #require(try await memory.subject(tills[3].id)).context.settings
            #expect(third.maxSpeedKmh == 400 && third.offlineAfterMinutes == 45, "the merchant's, over the store's")
            // And the terminals read before the changes see them too.
            #expect(try await memory.subject(tills[0].id)?.context.roster == roster)
            #expect(try await memory.subject(tills[0].id)?.context.settings.maxSpeedKmh == 400)
        }
    }

    @Test(arguments: TestDatabase.available)
    func factsReadWhileAChangeArrivesAreNotKept(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let admin = try await tenant.caller("admin@harbour.demo")
            let terminal = try #require(try await tenant.allTerminals(admin).first)
            let store = try await tenant.app.stores.find(terminal.storeID, by: admin)
            let place = DetectionFacts.Place(store: store, roster: ["op-1"])
            let facts = DetectionFacts()

            let before = facts.generation
            facts.forget(.store(UUID()))
            facts.keep(places: [store.id: place], readSince: before)
            #expect(facts.places([store.id]).isEmpty, "read before a change: it may hold what the change replaced")

            let since = facts.generation
            facts.keep(places: [store.id: place], readSince: since)
            #expect(facts.places([store.id]) == [store.id: place])
            facts.forget(.terminal(terminal.id))
            #expect(facts.places([store.id]) == [store.id: place], "a terminal's change leaves its store's facts")
            facts.forget(.merchant(store.merchantID))
            #expect(facts.places([store.id]).isEmpty, "its merchant's change drops them")
        }
    }

    @Test(arguments: TestDatabase.available)
    func theStoresRefundsAcrossItsTerminalsSurviveARestart(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            let tills = try await tenant.allTerminals(manager, filter: .init(state: .active)).prefix(2)
            #expect(tills.count == 2)
            let now = tenant.clock.now
            func refund(_ seq: Int, _ amount: Int) -> JSONValue {
                event(
                    seq, "transaction", at: now,
                    ["kind": "refund", "amount_minor": .number(Double(amount)), "currency": "EUR", "approved": true])
            }
            let first = try await tenant.app.ingest.ingest([refund(1, 60_000)], from: tills.first!.id)
            #expect(!first.alerts.contains { $0.rule == .refundLimit })

            // A new instance over the same database remembers the store's refunds, not only the terminal's.
            let restarted = PosGuard(
                runtime: Runtime(database: db, secrets: tenant.app.runtime.secrets, now: tenant.clock.function),
                hasher: PasswordHasher(cost: 4))
            try await restarted.memory.restore()
            #expect(restarted.memory.storeWatch(of: tills.first!.storeID).refunds.map(\.amountMinor) == [60_000])
            let second = try await restarted.ingest.ingest([refund(1, 50_000)], from: tills.last!.id)
            let alert = try #require(second.alerts.first { $0.rule == .refundLimit })
            #expect(alert.terminalID == tills.last!.id && alert.message.contains("110000 EUR"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func oneOpenAlertPerRuleUntilResolved(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let terminal = try await berlinTerminal(tenant)
            let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            let now = tenant.clock.now
            let tamper: [String: JSONValue] = ["sensor": .string("case")]
            _ = try await tenant.app.ingest.ingest([event(1, "tamper", at: now, tamper)], from: terminal.id)
            _ = try await tenant.app.ingest.ingest([event(2, "tamper", at: now, tamper)], from: terminal.id)
            var alerts = try await tenant.app.alerts.list(
                .init(terminalID: terminal.id), after: nil, limit: 10, by: manager
            ).items
            #expect(
                alerts.count == 1 && alerts[0].occurrences == 2 && alerts[0].evidence == [1, 2],
                "\(alerts.map { ($0.rule, $0.occurrences, $0.evidence, $0.message) })")
            _ = try await tenant.app.alerts.resolve(
                alerts[0].id, .init(reason: "inspected", falsePositive: false), by: manager)
            _ = try await tenant.app.ingest.ingest([event(3, "tamper", at: now, tamper)], from: terminal.id)
            alerts = try await tenant.app.alerts.list(
                .init(terminalID: terminal.id), after: nil, limit: 10, by: manager
            ).items
            #expect(alerts.map(\.status) == [.resolved, .open])
            let other = try await tenant.caller("admin@lotus-tea.demo")
            await #expect(throws: ServiceError.notFound("alert")) {
                try await tenant.app.alerts.find(alerts[0].id, by: other)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func enrollmentCodesWorkOnceForTheRightDevice(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let terminal = try await berlinTerminal(tenant)
            let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            let issued = try await tenant.app.enrollment.issueCode(for: terminal.id, by: manager)
            #expect(
                issued.code.count == 14
                    && issued.expiresAt == tenant.clock.now.addingTimeInterval(AgentEnrollment.codeLifetime))
            let signer = AgentSigner()
            let request = AgentEnrollment.Request(
                code: issued.code.lowercased(), publicKey: signer.publicKey, serial: terminal.serial, tid: terminal.tid)
            let enrolled = try await tenant.app.enrollment.enroll(request, source: nil)
            #expect(enrolled.terminalID == terminal.id && enrolled.unlockSecret.count == 64)
            await #expect(throws: ServiceError.forbidden("enrollment code is unknown, used or expired")) {
                try await tenant.app.enrollment.enroll(request, source: nil)
            }
            let late = try await tenant.app.enrollment.issueCode(for: terminal.id, by: manager)
            tenant.clock.advance(AgentEnrollment.codeLifetime + 1)
            await #expect(throws: ServiceError.self) {
                try await tenant.app.enrollment.enroll(
                    .init(code: late.code, publicKey: signer.publicKey, serial: terminal.serial, tid: terminal.tid),
                    source: nil)
            }
            let cashier = try await tenant.caller("cashier.berlin@kiez-baeckerei.demo")
            await #expect(throws: ServiceError.self) {
                try await tenant.app.enrollment.issueCode(for: terminal.id, by: cashier)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func aCodeIssuedBeforeATheftNeverEnrollsTheStolenTerminal(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let terminal = try await berlinTerminal(tenant)
            let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            let issued = try await tenant.app.enrollment.issueCode(for: terminal.id, by: manager)
            _ = try await tenant.app.terminals.move(
                terminal.id, .init(to: .suspectedStolen, reason: "gone from the counter"), by: manager)
            _ = try await tenant.app.terminals.move(terminal.id, .init(to: .stolen, reason: "confirmed"), by: manager)
            let thief = AgentEnrollment.Request(
                code: issued.code, publicKey: AgentSigner().publicKey, serial: terminal.serial, tid: terminal.tid)
            await #expect(throws: ServiceError.forbidden("enrollment code is unknown, used or expired")) {
                try await tenant.app.enrollment.enroll(thief, source: "198.51.100.66")
            }
            await #expect(throws: ServiceError.self) {
                try await tenant.app.enrollment.issueCode(for: terminal.id, by: manager)
            }
            let identity = try await db.withConnection {
                try await AgentRepository(secrets: tenant.app.runtime.secrets).identity(terminal: terminal.id, on: $0)
            }
            #expect(identity == nil, "no key was accepted for the stolen terminal")
        }
    }

    @Test(arguments: TestDatabase.available)
    func overridesAndRostersReachTheEngineAtOnce(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let terminal = try await berlinTerminal(tenant)
            let admin = try await tenant.caller("admin@kiez-baeckerei.demo")
            let now = tenant.clock.now
            let login: [String: JSONValue] = [
                "operator_id": .string("op-5"), "method": .string("pin"), "success": .bool(true),
            ]
            #expect(
                try await tenant.app.ingest.ingest([event(1, "login", at: now, login)], from: terminal.id).alerts
                    .isEmpty)
            _ = try await tenant.app.detection.putOperator(
                "op-1", .init(name: "Anna"), store: terminal.storeID, by: admin)
            let outcome = try await tenant.app.ingest.ingest([event(2, "login", at: now, login)], from: terminal.id)
            #expect(outcome.alerts.map(\.rule) == [.unknownOperator])
            var overrides = DetectionOverrides()
            overrides.autoLockOnCritical = false
            let view = try await tenant.app.detection.setSettings(.terminal, terminal.id, overrides, by: admin)
            #expect(view.effective.autoLockOnCritical == false && view.overrides == overrides)
            let tamper = try await tenant.app.ingest.ingest(
                [event(3, "tamper", at: now, ["sensor": .string("x")])], from: terminal.id)
            #expect(tamper.alerts.map(\.rule) == [.tamper] && tamper.commands.isEmpty)
        }
    }
}
