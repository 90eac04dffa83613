import Foundation
import PosGuardDomain
import PosGuardServices
@_spi(SQL) import PosGuardStorage
import PosGuardTestSupport
import SQLKit
import Testing

@Suite("Secrets sealed under the master key")
struct SealedSecretsTests {
    /// The three kinds of secret in use on one tenant: an admin's TOTP secret and another's pending one, a
    /// terminal's unlock secret and a webhook's signing secret, as the services handed them out.
    struct Issued {
        var totp: String
        var pendingTOTP: String
        var unlock: String
        var webhook: String
        var webhookID: UUID
        var terminal: Terminal
        var admin: Caller
    }

    static func issue(_ tenant: DemoTenant) async throws -> Issued {
        let auth = tenant.app.authentication
        let admin = try await tenant.caller("admin@kiez-baeckerei.demo")
        // The services hand out the base32 form for authenticator apps and keep the raw secret.
        func pendingSecret(_ email: String) async throws -> String {
            try #require(
                try await tenant.app.runtime.database.withConnection {
                    try await UserRepository(secrets: tenant.app.runtime.secrets).credentials(email: email, on: $0)?
                        .totpPendingSecret
                })
        }
        _ = try await auth.beginTOTP(
            admin, password: tenant.login("admin@kiez-baeckerei.demo").password, totp: nil)
        let totp = try await pendingSecret("admin@kiez-baeckerei.demo")
        try await auth.confirmTOTP(admin, code: TOTPCode.code(secret: totp, at: tenant.clock.now))
        _ = try await auth.beginTOTP(
            try await tenant.caller("admin@harbour.demo"), password: tenant.login("admin@harbour.demo").password,
            totp: nil)
        let pending = try await pendingSecret("admin@harbour.demo")
        let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
        let terminal = try #require(try await tenant.allTerminals(manager, filter: .init(state: .active)).first)
        let code = try await tenant.app.enrollment.issueCode(for: terminal.id, by: manager)
        let enrolled = try await tenant.app.enrollment.enroll(
            .init(code: code.code, publicKey: AgentSigner().publicKey, serial: terminal.serial, tid: terminal.tid),
            source: nil)
        let hook = try await tenant.app.webhooks.create(.init(url: "https://hooks.invalid/posguard"), by: admin)
        return Issued(
            totp: totp, pendingTOTP: pending, unlock: enrolled.unlockSecret, webhook: hook.secret,
            webhookID: hook.webhook.id, terminal: terminal, admin: admin)
    }

    /// Every secret column as stored, and whether any holds one of the secrets in clear.
    static func storedInClear(_ issued: Issued, in db: Database) async throws -> [String] {
        var found: [String] = []
        for table in ["users", "agent_keys", "webhooks", "instance_secrets"] {
            for text in try await RawRows.texts(of: table, in: db) {
                for secret in [issued.totp, issued.pendingTOTP, issued.unlock, issued.webhook]
                where text.contains(secret) {
                    found.append("\(table): \(secret.prefix(4))…")
                }
            }
        }
        return found
    }

    /// The secrets still work for what they are for: a TOTP sign-in, an unlock code, a webhook's signature key.
    static func expectUsable(_ issued: Issued, _ tenant: DemoTenant) async throws {
        let email = "admin@kiez-baeckerei.demo"
        tenant.clock.advance(30)  // a code works once: the one that confirmed the enrolment is spent
        _ = try await tenant.app.authentication.signIn(
            email: email, password: tenant.login(email).password,
            totp: TOTPCode.code(secret: issued.totp, at: tenant.clock.now), source: nil)
        let secrets = tenant.app.runtime.secrets
        let (unlock, webhook) = try await tenant.app.runtime.database.withConnection { db in
            (
                try await AgentRepository(secrets: secrets).unlockSecret(terminal: issued.terminal.id, on: db),
                try await NotificationRepository(secrets: secrets).find(
                    issued.webhookID, in: issued.admin.scope, on: db)
            )
        }
        #expect(unlock == issued.unlock && webhook?.secret == issued.webhook)
    }

    @Test(arguments: TestDatabase.available)
    func aCopyOfTheDatabaseHoldsNoSecretInClear(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let issued = try await Self.issue(tenant)
            #expect(try await Self.storedInClear(issued, in: db) == [])
            let sealed = try await db.withSQL {
                try await $0.raw("SELECT totp_secret FROM users WHERE totp_secret IS NOT NULL").all()
            }
            let stored = try sealed.map { try $0.decode(column: "totp_secret", as: String.self) }
            #expect(stored.count == 1 && stored.allSatisfy { $0.hasPrefix("v1:") })
            try await Self.expectUsable(issued, tenant)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aSealedSecretCopiedToAnotherRowDoesNotOpen(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let issued = try await Self.issue(tenant)
            // Someone with write access to the database moves the admin's sealed TOTP secret onto a manager.
            let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            try await db.withSQL { db in
                try await db.raw(
                    """
                    UPDATE users SET totp_secret = (SELECT totp_secret FROM users WHERE id = \(bind: issued.admin.userID!.key))
                    WHERE id = \(bind: manager.userID!.key)
                    """
                ).run()
            }
            let users = UserRepository(secrets: tenant.app.runtime.secrets)
            await #expect(throws: SecretBox.Unreadable.self) {
                try await db.withConnection { try await users.credentials(id: manager.userID!, on: $0) }
            }
            // A secret written in clear (not by PosGuard) is not taken either.
            try await db.withSQL { db in
                try await db.raw(
                    "UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP' WHERE id = \(bind: manager.userID!.key)"
                ).run()
            }
            await #expect(throws: SecretBox.Unreadable.self) {
                try await db.withConnection { try await users.credentials(id: manager.userID!, on: $0) }
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func startingWithAnotherKeyFailsAndSaysWhy(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            _ = try await DemoTenant.load(on: db)
            let other = try #require(MasterKey.decode(Data(repeating: 7, count: 32).base64EncodedString()))
            await #expect(throws: SealedSecrets.WrongKey.self) {
                try await SealedSecrets.adopt(other, in: db, at: Date())
            }
            let error = try await #require(throws: MasterKey.Problem.self) {
                try await MasterKey.unlock(
                    db, keyFile: "/nonexistent/posguard.key", explicitFile: false,
                    environment: [MasterKey.environmentVariable: Data(repeating: 7, count: 32).base64EncodedString()],
                    at: Date())
            }
            #expect(error.description.hasPrefix("$POSGUARD_MASTER_KEY: the master key does not match this database"))
        }
    }

    @Test(arguments: TestDatabase.available)
    func anUpgradeSealsThePlainSecretsAndScrubsCardHashes(kind: TestDatabase) async throws {
        try await kind.withEmpty { db async throws in
            // A database as the version before sealed secrets left it: schema 6, secrets in clear, declines with
            // a keyed hash of the card number and the hash key in the same database.
            try await Migrations.migrate(db, upTo: 6)
            // Today's application, used below to hand out the secrets, restores each store's detection memory at
            // start (schema 8), records the last TOTP step (schema 9), appends audit entries to the log's tree
            // (schema 11) and counts sign-in attempts in the database (schema 15).
            try await db.withSQL { db in
                try await db.raw(
                    "CREATE TABLE store_watch (store_id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at BIGINT)"
                ).run()
                try await db.raw("ALTER TABLE users ADD COLUMN totp_last_step BIGINT").run()
                for statement in [
                    "ALTER TABLE audit_log ADD COLUMN leaf_index BIGINT",
                    "ALTER TABLE audit_log ADD COLUMN leaf_hash TEXT",
                    "ALTER TABLE audit_log ADD COLUMN seal TEXT",
                    "CREATE TABLE audit_tree (id BIGINT PRIMARY KEY, size BIGINT NOT NULL, unsealed BIGINT NOT NULL)",
                    "INSERT INTO audit_tree VALUES (1, 0, 0)",
                    "CREATE TABLE login_throttles (key TEXT PRIMARY KEY, failures BIGINT NOT NULL, last_failure BIGINT)",
                    "CREATE TABLE login_known (account TEXT, address TEXT, at BIGINT, PRIMARY KEY (account, address))",
                ] {
                    try await db.raw(SQLQueryString(statement)).run()
                }
            }
            let keyText = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
            let tenant = try await DemoTenant.load(on: db, secrets: try #require(MasterKey.decode(keyText)))
            let issued = try await Self.issue(tenant)
            try await db.withSQL { db in
                try await db.raw("DELETE FROM instance_secrets").run()
                try await db.raw(
                    "UPDATE users SET totp_secret = \(bind: issued.totp) WHERE id = \(bind: issued.admin.userID!.key)"
                ).run()
                try await db.raw(
                    "UPDATE users SET totp_pending_secret = \(bind: issued.pendingTOTP) WHERE totp_pending_secret IS NOT NULL"
                ).run()
                try await db.raw(
                    "UPDATE agent_keys SET unlock_secret = \(bind: issued.unlock) WHERE terminal_id = \(bind: issued.terminal.id.key)"
                ).run()
                try await db.raw("UPDATE webhooks SET secret = \(bind: issued.webhook)").run()
                try await db.raw(
                    """
                    INSERT INTO screening_declines (id, tid, mid, at, amount_minor, currency, pan_masked, pan_hash,
                        response_code, reasons, channel)
                    VALUES ('d1', 'T1', 'M1', 0, 990, 'EUR', '476173******0119', \(bind: String(repeating: "ab", count: 32)),
                        '58', 'stolen', 'iso8583')
                    """
                ).run()
                try await db.raw(
                    "INSERT INTO instance_secrets (name, value, created_at) VALUES ('pan_hash_key', \(bind: String(repeating: "cd", count: 32)), 0)"
                ).run()
                // An agent event stored as sent, card number and all.
                try await db.raw(
                    """
                    INSERT INTO events (terminal_id, seq, type, at, received_at, body)
                    VALUES (\(bind: issued.terminal.id.key), 1000, 'transaction', 0, 0,
                        '{"card_number":"4111 1111 1111 1111","seq":1000,"type":"transaction"}')
                    """
                ).run()
            }
            #expect(
                Set(try await Self.storedInClear(issued, in: db)).count == 4, "the old version's secrets are in clear")

            try await db.withSQL { db in
                try await db.raw("DROP TABLE store_watch").run()
                try await db.raw("ALTER TABLE users DROP COLUMN totp_last_step").run()
                for column in ["leaf_index", "leaf_hash", "seal"] {
                    try await db.raw("ALTER TABLE audit_log DROP COLUMN \(unsafeRaw: column)").run()
                }
                try await db.raw("DROP TABLE audit_tree").run()
                try await db.raw("DROP TABLE login_throttles").run()
                try await db.raw("DROP TABLE login_known").run()
            }
            #expect(try await Migrations.migrate(db) == Migrations.all.map(\.version).filter { $0 >= 7 })
            let unlocked = try await MasterKey.unlock(
                db, keyFile: "/nonexistent/posguard.key", explicitFile: false,
                environment: [MasterKey.environmentVariable: keyText], at: Date())
            #expect(unlocked.source == "$POSGUARD_MASTER_KEY")

            #expect(try await Self.storedInClear(issued, in: db) == [])
            try await Self.expectUsable(issued, tenant)
            let declines = try await RawRows.texts(of: "screening_declines", in: db)
            #expect(declines.contains("476173******0119") && !declines.contains { $0.contains("abab") })
            #expect(try await !RawRows.texts(of: "instance_secrets", in: db).contains { $0.contains("pan_hash") })
            let events = try await RawRows.texts(of: "events", in: db)
            #expect(events.contains(#"{"card_number":"[card data removed]","seq":1000,"type":"transaction"}"#))
            #expect(!events.contains { $0.contains("4111") })
            #expect(try await SealedSecrets.adopt(tenant.app.runtime.secrets, in: db, at: Date()) == 0)
            // The old audit entries became the first leaves of the log, sealed under the master key.
            #expect(try await tenant.app.auditLog.verify().ok)
        }
    }
}
