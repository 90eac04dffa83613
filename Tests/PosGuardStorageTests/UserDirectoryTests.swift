import Foundation
import PosGuardDomain
import PosGuardServices
import PosGuardStorage
import PosGuardTestSupport
import Testing

@Suite("Users")
struct UserDirectoryTests {
    @Test(arguments: TestDatabase.available)
    func adminsCreateUsersBelowThemInsideTheirScope(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            let berlin = try #require(manager.scope.storeID)
            let cashier = try await tenant.app.users.create(
                .init(
                    email: "New.Cashier@Kiez-Baeckerei.demo", name: "Tom", role: .storeOperator,
                    password: "sourdough-counter-77",
                    storeID: berlin), by: manager)
            #expect(cashier.email == "new.cashier@kiez-baeckerei.demo" && cashier.storeID == berlin)
            await #expect(throws: ServiceError.forbidden("a store_manager may not create a merchant_admin")) {
                try await tenant.app.users.create(
                    .init(email: "boss@x.demo", name: "Boss", role: .merchantAdmin, password: "sourdough-counter-77"),
                    by: manager)
            }
            await #expect(
                throws: ServiceError.conflict(field: "email", message: "a user with this email already exists")
            ) {
                try await tenant.app.users.create(
                    .init(
                        email: "new.cashier@kiez-baeckerei.demo", name: "Tom", role: .storeOperator,
                        password: "sourdough-counter-77", storeID: berlin), by: manager)
            }
            await #expect(throws: ValidationFailure([FieldError("password", "is a commonly used password")])) {
                try await tenant.app.users.create(
                    .init(
                        email: "c2@kiez-baeckerei.demo", name: "C", role: .storeOperator, password: "Password2024!",
                        storeID: berlin),
                    by: manager)
            }
            let munich = try #require(try await tenant.caller("manager.munich@kiez-baeckerei.demo").scope.storeID)
            await #expect(throws: ValidationFailure([FieldError("store_id", "must name a store you manage")])) {
                try await tenant.app.users.create(
                    .init(
                        email: "c3@kiez-baeckerei.demo", name: "C", role: .storeOperator,
                        password: "sourdough-counter-77",
                        storeID: munich), by: manager)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func disablingAUserEndsTheirSessions(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let email = "cashier.berlin@kiez-baeckerei.demo"
            let signedIn = try await tenant.app.authentication.signIn(
                email: email, password: tenant.login(email).password, totp: nil, source: nil)
            let manager = try await tenant.caller("manager.berlin@kiez-baeckerei.demo")
            let disabled = try await tenant.app.users.update(signedIn.user.id, .init(disabled: true), by: manager)
            #expect(disabled.disabled)
            await #expect(throws: ServiceError.self) {
                try await tenant.app.authentication.caller(token: signedIn.token, source: nil)
            }
            await #expect(throws: ServiceError.unauthenticated("the email or password is not right")) {
                try await tenant.app.authentication.signIn(
                    email: email, password: tenant.login(email).password, totp: nil, source: nil)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func usersEditThemselvesOnlyInHarmlessWays(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let cashier = try await tenant.caller("cashier.berlin@kiez-baeckerei.demo")
            let id = try #require(cashier.userID)
            #expect(try await tenant.app.users.update(id, .init(locale: .zhHans), by: cashier).locale == .zhHans)
            await #expect(throws: ServiceError.forbidden("you may change only your own name and language")) {
                try await tenant.app.users.update(id, .init(role: .storeManager), by: cashier)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func anAdminPasswordResetSignsTheUserOutEverywhere(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let email = "cashier.shanghai@lotus-tea.demo"
            let auth = tenant.app.authentication
            let old = try await auth.signIn(
                email: email, password: tenant.login(email).password, totp: nil, source: nil)
            let manager = try await tenant.caller("manager.shanghai@lotus-tea.demo")
            await #expect(throws: ValidationFailure([FieldError("password", "must be at least 12 characters")])) {
                try await tenant.app.users.update(old.user.id, .init(password: "short"), by: manager)
            }
            _ = try await tenant.app.users.update(old.user.id, .init(password: "green-tea-till-4411"), by: manager)
            await #expect(throws: ServiceError.self) { try await auth.caller(token: old.token, source: nil) }
            await #expect(throws: ServiceError.self) {
                try await auth.signIn(email: email, password: tenant.login(email).password, totp: nil, source: nil)
            }
            _ = try await auth.signIn(email: email, password: "green-tea-till-4411", totp: nil, source: nil)
        }
    }
}
