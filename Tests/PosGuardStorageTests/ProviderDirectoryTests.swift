import Foundation
import PosGuardDomain
import PosGuardServices
import PosGuardStorage
import PosGuardTestSupport
import Testing

/// A new tenant, as the instance's operator creates it: the provider and its first admin together, audited,
/// or nothing at all.
@Suite("Providers")
struct ProviderDirectoryTests {
    @Test(arguments: TestDatabase.available)
    func aProviderIsCreatedWithItsAdminAndAuditedOrNotAtAll(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let app = tenant.app
            let draft = UserDirectory.Draft(
                email: "Ops@Acme.example", name: "Ada Ops", role: .storeOperator, password: "copper-kettle-harbour-9")
            let (provider, admin) = try await app.providers.create(name: "Acme Acquiring", admin: draft, actor: "cli")
            #expect(admin.role == .providerAdmin && admin.email == "ops@acme.example")
            #expect(admin.providerID == provider.id)

            let session = try await app.authentication.signIn(
                email: admin.email, password: draft.password, totp: nil, source: nil)
            let caller = try await app.authentication.caller(token: session.token, source: nil)
            let audit = try await app.auditLog.list(target: nil, after: nil, limit: 10, by: caller).items
            let created = audit.prefix(2)
            #expect(created.map(\.action) == ["provider.create", "user.create"])
            #expect(created.allSatisfy { $0.actor == "cli" })

            let providers = try await app.providers.all().count
            await #expect(throws: ServiceError.self) {
                _ = try await app.providers.create(
                    name: "Acme Acquiring",
                    admin: .init(
                        email: "two@acme.example", name: "Two", role: .providerAdmin, password: draft.password),
                    actor: "cli")
            }
            do {
                _ = try await app.providers.create(
                    name: "Weak Password Ltd",
                    admin: .init(email: "weak@acme.example", name: "Weak", role: .providerAdmin, password: "password"),
                    actor: "cli")
                Issue.record("a weak password was accepted")
            } catch let failure as ValidationFailure {
                #expect(failure.errors.map(\.field).allSatisfy { $0 == "admin_password" })
            }
            // A taken email refuses the whole unit: no provider is left without an admin.
            await #expect(throws: ServiceError.self) {
                _ = try await app.providers.create(
                    name: "Orphan Ltd",
                    admin: .init(
                        email: "admin@harbour.demo", name: "Dup", role: .providerAdmin, password: draft.password),
                    actor: "cli")
            }
            #expect(try await app.providers.all().count == providers)
        }
    }
}
