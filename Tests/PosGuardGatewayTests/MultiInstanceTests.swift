import Foundation
import PosGuardApp
import PosGuardDomain
import PosGuardServices
import PosGuardStorage
import PosGuardTestSupport
import Testing

/// Two instances on one PostgreSQL: a change made through one reaches the other's screening table.
@Suite(
    "Instances sharing PostgreSQL",
    .enabled(if: TestDatabase.available.contains(.postgres), "needs POSGUARD_TEST_DATABASE_URL"))
struct MultiInstanceTests {
    @Test func instancesStartingTogetherOnAnEmptyDatabaseMigrateItOnce() async throws {
        try await TestDatabase.postgres.withEmpty { db async throws in
            let pools = try (0..<3).map { _ in try db.sibling() }
            var failure: (any Error)? = nil
            do {
                let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                    for pool in pools { group.addTask { try await Migrations.migrate(pool) } }
                    return try await group.reduce(into: [[Int]]()) { $0.append($1) }
                }
                #expect(applied.flatMap { $0 }.sorted() == Migrations.all.map(\.version), "each migration ran once")
            } catch {
                failure = error
            }
            for pool in pools { try await pool.close() }
            if let failure { throw failure }
            #expect(try await Migrations.currentVersion(of: db) == Migrations.latest)
        }
    }

    @Test func instancesStartingTogetherWithTheDemoLoadItOnce() async throws {
        try await TestDatabase.postgres.withMigrated { db async throws in
            let secrets = SecretBox.random()
            try await SealedSecrets.adopt(secrets, in: db, at: Date())
            // Three instances, each with its own pool, started at the same moment with `--demo`.
            let pools = try (0..<3).map { _ in try db.sibling() }
            var failure: (any Error)? = nil
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for pool in pools {
                        group.addTask {
                            var configuration = PosGuardConfiguration.test(Runtime(database: pool, secrets: secrets))
                            configuration.demo = true
                            let logins = try await buildApplication(configuration).demoLogins
                            #expect(logins.count == DemoData.logins.count)
                        }
                    }
                    try await group.waitForAll()
                }
            } catch {
                failure = error
            }
            for pool in pools { try await pool.close() }
            if let failure { throw failure }
            let providers = try await ProviderDirectory(
                runtime: Runtime(database: db, secrets: secrets), hasher: PasswordHasher(cost: 4)
            ).all()
            #expect(providers.filter { $0.name == DemoData.providerName }.count == 1, "one demo tenant")
        }
    }

    @Test func aTerminalMarkedStolenOnOneInstanceIsDeclinedByTheOther() async throws {
        try await TestDatabase.postgres.withMigrated { db async throws in
            let first = try await DemoTenant.load(on: db)
            // The second instance has its own pool and its own change feed: it hears of the first's changes
            // only through PostgreSQL.
            let other = try db.sibling()
            let second = try await buildApplication(
                .test(Runtime(database: other, secrets: first.app.runtime.secrets, now: first.clock.function))
            ).posGuard
            let (listening, ready) = AsyncStream<Void>.makeStream()
            let relay = Task {
                await ChangeRelay(database: other, logger: .init(label: "test")).run { ready.yield() }
            }
            defer { relay.cancel() }
            var waiting = listening.makeAsyncIterator()
            await waiting.next()

            let admin = try await first.caller("admin@harbour.demo")
            let terminal = try #require(try await first.allTerminals(admin, filter: .init(state: .active)).first)
            let request = ScreeningRequest(
                tid: terminal.tid, mid: terminal.mid, amountMinor: 100, currency: "EUR", at: first.clock.now)
            #expect(second.screening.decide(request).approve)
            _ = try await first.app.terminals.move(
                terminal.id, .init(to: .suspectedStolen, reason: "left the shop"), by: admin)

            var decision = second.screening.decide(request)
            try await until("the other instance declines the terminal") {
                decision = second.screening.decide(request)
                return !decision.approve
            }
            #expect(decision.reasons == [.suspectedStolen], "the other instance declines it, without a restart")
            relay.cancel()
            try await other.close()
        }
    }
}
