import Foundation
import PosGuardDomain
import PosGuardStorage

/// Providers, the roots of tenants: created by whoever runs the instance (`posguard provider create`, the
/// demo data), each with its first admin, in one audited unit.
public struct ProviderDirectory: Sendable {
    let runtime: Runtime
    let users: UserDirectory
    let providers = ProviderRepository()
    var audit: AuditLog { AuditLog(runtime: runtime) }

    public init(runtime: Runtime, hasher: PasswordHasher) {
        self.runtime = runtime
        users = UserDirectory(runtime: runtime, hasher: hasher)
    }

    /// Creates a provider and its first provider admin, acting as `actor` (the instance's operator); both or
    /// neither are written. The admin's fields are named `admin_email`, `admin_name`, `admin_password` in
    /// refusals, apart from the provider's `name`.
    public func create(name: String, admin: UserDirectory.Draft, actor: String) async throws -> (Provider, User) {
        var v = Validator()
        let name = v.text(name, "name", max: 200) ?? ""
        try v.finish()
        let now = runtime.now()
        let provider = Provider(id: runtime.ids.next(), name: name)
        let system = Caller.system(actor, provider: provider.id, at: now)
        var draft = admin
        draft.role = .providerAdmin
        return try await Self.admin {
            let prepared = try await users.prepare(draft, by: system)
            return try await runtime.database.transaction { db in
                if try await providers.all(on: db).contains(where: { $0.name == name }) {
                    throw ServiceError.conflict(field: "name", message: "a provider named \(name) already exists")
                }
                try await providers.insert(provider, at: now, on: db)
                try await audit.record(
                    system, "provider.create", target: "provider", id: provider.id, after: provider, at: now, on: db)
                return (provider, try await users.insert(prepared, by: system, on: db))
            }
        }
    }

    /// Runs `body`, naming the fields of its refusals as the admin's.
    private static func admin<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let failure as ValidationFailure {
            throw ValidationFailure(failure.errors.map { FieldError("admin_" + $0.field, $0.message) })
        }
    }

    /// Every provider of the instance, by name (for the operator's tools).
    public func all() async throws -> [Provider] {
        try await runtime.database.withConnection { try await providers.all(on: $0) }
    }
}
