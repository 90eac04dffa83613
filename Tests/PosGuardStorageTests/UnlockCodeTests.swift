import Crypto
import Foundation
import PosGuardDomain
import PosGuardServices
import PosGuardStorage
import PosGuardTestSupport
import Testing

@Suite("Offline unlock codes")
struct UnlockCodeTests {
    /// What the terminal computes offline to check a code read out to the store.
    func expected(secret: String, terminal: UUID, challenge: String, at date: Date) -> String {
        let key = SymmetricKey(
            data: stride(from: 0, to: secret.count, by: 2).map {
                let i = secret.index(secret.startIndex, offsetBy: $0)
                return UInt8(secret[i..<secret.index(i, offsetBy: 2)], radix: 16)!
            })
        let window = UnlockCode.window(at: Int64(date.timeIntervalSince1970))
        let mac = HMAC<SHA256>.authenticationCode(
            for: UnlockCode.message(terminal: terminal.uuidString, challenge: challenge, window: window), using: key)
        return UnlockCode.digits(fromMAC: Array(mac))
    }

    @Test(arguments: TestDatabase.available)
    func aLockedTerminalGetsACodeItCanCheckOffline(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            let terminal = try #require(try await tenant.allTerminals(manager, filter: .init(state: .active)).first)
            let system = Caller.system("cli", provider: terminal.providerID, at: tenant.clock.now)
            let code = try await tenant.app.enrollment.issueCode(for: terminal.id, by: manager)
            let enrolled = try await tenant.app.enrollment.enroll(
                .init(code: code.code, publicKey: AgentSigner().publicKey, serial: terminal.serial, tid: terminal.tid),
                source: nil)

            await #expect(throws: ServiceError.conflict(field: nil, message: "the terminal is active, not locked")) {
                try await tenant.app.commands.unlockCode(for: terminal.id, challenge: "12345678", by: system)
            }
            _ = try await tenant.app.terminals.move(terminal.id, .init(to: .locked, reason: "lost mode"), by: system)
            await #expect(throws: ValidationFailure.self) {
                try await tenant.app.commands.unlockCode(for: terminal.id, challenge: "12AB", by: system)
            }
            let admin = try await tenant.caller("admin@kiez-baeckerei.demo")
            await #expect(
                throws: ServiceError.mfaRequired(
                    "to issue an unlock code needs a TOTP code verified in the last 15 minutes (POST /api/v1/session/totp)"
                )
            ) {
                try await tenant.app.commands.unlockCode(for: terminal.id, challenge: "12345678", by: admin)
            }
            await #expect(throws: ServiceError.forbidden("a store_manager may not issue an unlock code")) {
                try await tenant.app.commands.unlockCode(for: terminal.id, challenge: "12345678", by: manager)
            }
            let issued = try await tenant.app.commands.unlockCode(for: terminal.id, challenge: "12345678", by: system)
            #expect(
                issued.code
                    == expected(
                        secret: enrolled.unlockSecret, terminal: terminal.id, challenge: "12345678",
                        at: tenant.clock.now))
            #expect(issued.code.count == 8 && issued.validUntil > tenant.clock.now.addingTimeInterval(600))
            let other = try await tenant.app.commands.unlockCode(for: terminal.id, challenge: "87654321", by: system)
            #expect(other.code != issued.code, "a code fits one challenge")
            let audit = try await tenant.app.auditLog.list(
                target: terminal.id, after: nil, limit: 50, by: try await tenant.caller("admin@harbour.demo"))
            #expect(audit.items.filter { $0.action == "terminal.unlock_code_issued" }.count == 2)
            #expect(!audit.items.contains { ($0.after ?? "").contains(issued.code) }, "the code itself is never logged")
        }
    }
}

@Suite("Unlock commands")
struct UnlockCommandTests {
    @Test(arguments: TestDatabase.available)
    func anUnlockOnlyAnswersTheLockItWasSentFor(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            let terminal = try #require(try await tenant.allTerminals(manager, filter: .init(state: .active)).first)
            let system = Caller.system("cli", provider: terminal.providerID, at: tenant.clock.now)
            // Nothing to unlock on a terminal in service: queued, it would wait to undo a later lock.
            await #expect(throws: ServiceError.self) {
                try await tenant.app.commands.issue(.init(type: .unlock), to: terminal.id, by: system)
            }
            _ = try await tenant.app.terminals.move(terminal.id, .init(to: .locked, reason: "closing"), by: manager)
            let unlock = try await tenant.app.commands.issue(.init(type: .unlock), to: terminal.id, by: system)
            // Before the terminal fetches it, the store reports the terminal missing.
            _ = try await tenant.app.terminals.move(
                terminal.id, .init(to: .suspectedStolen, reason: "gone from the counter"), by: manager)
            let commands = try await tenant.app.commands.list(of: terminal.id, by: system)
            let withdrawn = try #require(commands.first { $0.id == unlock.id })
            #expect(withdrawn.status == .expired && withdrawn.detail?.hasPrefix("withdrawn") == true)
        }
    }
}
