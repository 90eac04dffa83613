import Foundation
import PosGuardDomain
import PosGuardServices
@_spi(SQL) import PosGuardStorage
import PosGuardTestSupport
import SQLKit
import Testing

@Suite("Agent identities")
struct AgentIdentityTests {
    /// The demo tenant with a terminal enrolled with `first`'s key, and a verifier of its own with nothing held
    /// yet, made before the tenant's services so that it takes every change before they do (the screening
    /// table's reload waits for the database).
    struct Enrolled {
        let db: Database
        let tenant: DemoTenant
        let terminal: Terminal
        let verifier: AgentVerifier
        let first = AgentSigner()
        let second = AgentSigner()

        init(on db: Database) async throws {
            let (clock, secrets) = (TestClock(), SecretBox.random())
            self.db = db
            verifier = AgentVerifier(runtime: Runtime(database: db, secrets: secrets, now: clock.function))
            tenant = try await DemoTenant.load(on: db, clock: clock, secrets: secrets)
            let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            terminal = try #require(try await tenant.allTerminals(manager, filter: .init(state: .active)).first)
            let code = try await tenant.app.enrollment.issueCode(for: terminal.id, by: manager)
            _ = try await tenant.app.enrollment.enroll(
                .init(code: code.code, publicKey: first.publicKey, serial: terminal.serial, tid: terminal.tid),
                source: nil)
        }

        /// Whether the verifier accepts a request signed by `signer` (each request's body is new: never a replay).
        func accepts(_ signer: AgentSigner) async -> Bool {
            let body = Array(#"{"events":[],"nonce":"\#(UUID().uuidString)"}"#.utf8)
            let headers = signer.headers(
                terminal: terminal.id, method: "POST", path: "/agent/v1/events", body: body, at: tenant.clock.now)
            let value = { (name: String) in headers.first { $0.name == name }?.value }
            return
                (try? await verifier.verify(
                    terminal: value("PosGuard-Terminal"), timestamp: value("PosGuard-Timestamp"),
                    signature: value("PosGuard-Signature"), method: "POST", path: "/agent/v1/events", body: body))
                != nil
        }

        /// Replaces the first key by the second without telling anyone, as only a write outside PosGuard would.
        func rekeyUnannounced() async throws {
            try await db.withSQL { sql in
                try await sql.raw(
                    "UPDATE agent_keys SET public_key = \(bind: second.publicKey) WHERE public_key = \(bind: first.publicKey)"
                ).run()
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func anIdentityIsHeldUntilItsTerminalChanges(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let enrolled = try await Enrolled(on: db)
            #expect(await enrolled.accepts(enrolled.first))
            try await enrolled.rekeyUnannounced()
            #expect(await !enrolled.accepts(enrolled.second), "held: the key read first")
            await db.changes.publish([.terminal(enrolled.terminal.id)])
            #expect(await enrolled.accepts(enrolled.second), "dropped with the change, read again")
        }
    }

    /// A read that began before a change to its terminal was published may hold what the change replaced: it
    /// answers its own request but is not held for the next.
    @Test(arguments: TestDatabase.available)
    func anIdentityReadWhileItsTerminalChangesIsNotHeld(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let enrolled = try await Enrolled(on: db)
            // The identity's read waits behind a unit holding the keys: SQLite's one connection, PostgreSQL's lock.
            let (locked, announceLocked) = AsyncStream.makeStream(of: Void.self)
            let (released, release) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await db.transaction { work in
                    if db.kind == .postgres {
                        try await work.sql.raw("LOCK TABLE agent_keys IN ACCESS EXCLUSIVE MODE").run()
                    }
                    announceLocked.yield()
                    for await _ in released { break }
                }
            }
            for await _ in locked { break }
            let reading = Task { await enrolled.accepts(enrolled.first) }
            try await Task.sleep(for: .seconds(2))  // the read has begun and waits
            // This verifier takes the change first; the services after it wait for the database.
            let publishing = Task { await db.changes.publish([.terminal(enrolled.terminal.id)]) }
            try await Task.sleep(for: .seconds(1))
            release.yield()
            try await holder.value
            await publishing.value
            #expect(await reading.value, "the read answers its own request")

            try await enrolled.rekeyUnannounced()
            #expect(await enrolled.accepts(enrolled.second), "not held: read again")
        }
    }
}
