import Foundation
import PosGuardDomain
import PosGuardServices
@_spi(SQL) import PosGuardStorage
import PosGuardTestSupport
import SQLKit
import Testing

@Suite("Authentication")
struct AuthenticationTests {
    static let email = "manager.berlin@kiez-baeckerei.demo"

    @Test(arguments: TestDatabase.available)
    func signInOpensASessionStoredOnlyAsAHash(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let signedIn = try await tenant.app.authentication.signIn(
                email: " Manager.Berlin@Kiez-Baeckerei.demo ", password: tenant.login(Self.email).password, totp: nil,
                source: "10.0.0.1")
            #expect(signedIn.user.email == Self.email && signedIn.token.count >= 43)
            let stored = try await db.withSQL { try await $0.raw("SELECT token_hash FROM sessions").all() }
            let hashes = try stored.map { try $0.decode(column: "token_hash", as: String.self) }
            #expect(!hashes.contains(signedIn.token) && hashes.allSatisfy { $0.count == 64 })
            let caller = try await tenant.app.authentication.caller(token: signedIn.token, source: nil)
            #expect(caller.name == Self.email && caller.role == .storeManager)

            try await tenant.app.authentication.signOut(caller)
            await #expect(throws: ServiceError.self) {
                try await tenant.app.authentication.caller(token: signedIn.token, source: nil)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func sessionsExpire(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let signedIn = try await tenant.app.authentication.signIn(
                email: Self.email, password: tenant.login(Self.email).password, totp: nil, source: nil)
            tenant.clock.advance(Authentication.sessionLifetime + 1)
            await #expect(
                throws: ServiceError.unauthenticated("the session is missing, expired or signed out: sign in again")
            ) {
                try await tenant.app.authentication.caller(token: signedIn.token, source: nil)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func wrongPasswordsSpreadOverThreeInstancesAreCountedAsOnOne(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            // Two more instances, each (on PostgreSQL) with its own pool, as separate processes would have.
            var instances = [tenant.app.authentication]
            var pools: [Database] = []
            for _ in 0..<2 {
                let own = kind == .postgres ? try db.sibling() : db
                if own !== db { pools.append(own) }
                instances.append(
                    PosGuard(
                        runtime: Runtime(
                            database: own, secrets: tenant.app.runtime.secrets, now: tenant.clock.function),
                        hasher: PasswordHasher(cost: 4)
                    ).authentication)
            }
            for i in 0..<5 {
                await #expect(throws: ServiceError.unauthenticated("the email or password is not right")) {
                    try await instances[i % 3].signIn(
                        email: Self.email, password: "wrong-password-123", totp: nil, source: "203.0.113.9")
                }
            }
            for instance in instances {
                await #expect(throws: ServiceError.throttled(retryAfter: 1), "every instance holds the account") {
                    try await instance.signIn(
                        email: Self.email, password: tenant.login(Self.email).password, totp: nil,
                        source: "198.51.100.7")
                }
            }
            for pool in pools { try await pool.close() }
        }
    }

    @Test(arguments: TestDatabase.available)
    func repeatedFailuresAreThrottledThenForgiven(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let auth = tenant.app.authentication
            for _ in 0..<5 {
                await #expect(throws: ServiceError.unauthenticated("the email or password is not right")) {
                    try await auth.signIn(
                        email: Self.email, password: "wrong-password-123", totp: nil, source: "203.0.113.9")
                }
            }
            // Even the right password now waits: the account is throttled.
            await #expect(throws: ServiceError.throttled(retryAfter: 1)) {
                try await auth.signIn(
                    email: Self.email, password: tenant.login(Self.email).password, totp: nil, source: "203.0.113.9")
            }
            tenant.clock.advance(1)
            _ = try await auth.signIn(
                email: Self.email, password: tenant.login(Self.email).password, totp: nil, source: nil)
            // Unknown accounts fail the same way as wrong passwords.
            await #expect(throws: ServiceError.unauthenticated("the email or password is not right")) {
                try await auth.signIn(
                    email: "nobody@nowhere.example", password: "whatever-password", totp: nil, source: nil)
            }
            let failures = try await tenant.app.auditLog.list(
                target: nil, after: nil, limit: 500, by: try await tenant.caller("admin@harbour.demo")
            ).items.filter { $0.action == "session.sign_in_failed" }
            #expect(failures.count == 5 && failures.allSatisfy { $0.source == "203.0.113.9" })
        }
    }

    @Test(arguments: TestDatabase.available)
    func totpEnrolmentThenRequiredAtSignInAndUnlocksDestructiveMoves(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let auth = tenant.app.authentication
            let email = "admin@kiez-baeckerei.demo"
            let admin = try await tenant.caller(email)
            let enrolment = try await auth.beginTOTP(admin, password: tenant.login(email).password, totp: nil)
            #expect(
                enrolment.uri.hasPrefix("otpauth://totp/PosGuard:")
                    && enrolment.uri.contains("secret=\(enrolment.secret)"))
            let secret = try #require(
                try await db.withConnection {
                    try await UserRepository(secrets: tenant.app.runtime.secrets).credentials(email: email, on: $0)?
                        .totpPendingSecret
                })
            await #expect(throws: ValidationFailure.self) { try await auth.confirmTOTP(admin, code: "000000x") }
            try await auth.confirmTOTP(admin, code: TOTPCode.code(secret: secret, at: tenant.clock.now))

            await #expect(throws: ServiceError.totpRequired) {
                try await auth.signIn(email: email, password: tenant.login(email).password, totp: nil, source: nil)
            }
            tenant.clock.advance(30)  // the code that confirmed the enrolment is spent
            let signedIn = try await auth.signIn(
                email: email, password: tenant.login(email).password,
                totp: TOTPCode.code(secret: secret, at: tenant.clock.now),
                source: nil)
            let fresh = try await auth.caller(token: signedIn.token, source: nil)
            let terminal = try #require(try await tenant.allTerminals(fresh, filter: .init(state: .active)).first)
            #expect(
                try await tenant.app.terminals.move(terminal.id, .init(to: .locked, reason: "lost mode"), by: fresh)
                    .state == .locked)

            // Sixteen minutes later the verification is stale again, until a new code is proved.
            tenant.clock.advance(16 * 60)
            let stale = try await auth.caller(token: signedIn.token, source: nil)
            await #expect(throws: ServiceError.self) {
                try await tenant.app.terminals.move(terminal.id, .init(to: .retired, reason: "broken"), by: stale)
            }
            try await auth.verifyTOTP(stale, code: TOTPCode.code(secret: secret, at: tenant.clock.now))
            let verified = try await auth.caller(token: signedIn.token, source: nil)
            #expect(
                try await tenant.app.terminals.move(terminal.id, .init(to: .retired, reason: "broken"), by: verified)
                    .state == .retired)
        }
    }

    @Test(arguments: TestDatabase.available)
    func simultaneousGuessesAreCountedBeforeThePasswordIsChecked(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let auth = tenant.app.authentication
            @Sendable func outcome(_ email: String, source: String?) async -> String {
                do {
                    _ = try await auth.signIn(email: email, password: "wrong-password-123", totp: nil, source: source)
                    return "signed in"
                } catch ServiceError.throttled {
                    return "throttled"
                } catch {
                    return "checked"
                }
            }
            for _ in 0..<5 { _ = await outcome(Self.email, source: nil) }
            tenant.clock.advance(1)
            // The wait has just ended: of 24 guesses at once, one reaches the password check.
            let burst = await withTaskGroup(of: String.self) { group in
                for _ in 0..<24 { group.addTask { await outcome(Self.email, source: nil) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(burst.filter { $0 == "checked" }.count == 1 && burst.filter { $0 == "throttled" }.count == 23)
            // 80 guesses at once from one address, each at another account: the address's 20 free ones.
            let spray = await withTaskGroup(of: String.self) { group in
                for i in 0..<80 { group.addTask { await outcome("guess\(i)@nowhere.example", source: "203.0.113.50") } }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(spray.filter { $0 == "checked" }.count == 20 && spray.filter { $0 == "throttled" }.count == 60)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aRightPasswordGivesTheAddressItsAttemptBack(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            // An office behind one address signs in all day: successes never add up to a lock-out.
            for _ in 0..<30 {
                _ = try await tenant.app.authentication.signIn(
                    email: Self.email, password: tenant.login(Self.email).password, totp: nil, source: "192.0.2.1")
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func anAttackerBehindAnOfficeAddressDoesNotLockOutItsStaff(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let auth = tenant.app.authentication
            let office = "192.0.2.77"
            let colleague = "cashier.berlin@kiez-baeckerei.demo"
            _ = try await auth.signIn(
                email: colleague, password: tenant.login(colleague).password, totp: nil, source: office)
            // Someone in the same office sprays guesses over many accounts until the address is held back.
            for i in 0..<25 {
                _ = try? await auth.signIn(
                    email: "guess\(i)@kiez-baeckerei.demo", password: "wrong-password-123", totp: nil, source: office)
            }
            await #expect(throws: ServiceError.self) {
                try await auth.signIn(
                    email: Self.email, password: tenant.login(Self.email).password, totp: nil, source: office)
            }
            // The colleague, who signed in from there before, is not.
            _ = try await auth.signIn(
                email: colleague, password: tenant.login(colleague).password, totp: nil, source: office)
        }
    }

    @Test func totpCodesMatchRFC6238() {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", 8-digit values truncated to 6 digits.
        let secret = "12345678901234567890"
        #expect(TOTPCode.code(secret: secret, at: Date(timeIntervalSince1970: 59)) == "287082")
        #expect(TOTPCode.code(secret: secret, at: Date(timeIntervalSince1970: 1_111_111_109)) == "081804")
        #expect(TOTPCode.code(secret: secret, at: Date(timeIntervalSince1970: 2_000_000_000)) == "279037")
        #expect(TOTPCode.step(of: "287082", secret: secret, at: Date(timeIntervalSince1970: 89)) == 1)
        #expect(TOTPCode.step(of: "287082", secret: secret, at: Date(timeIntervalSince1970: 150)) == nil)
    }
}
