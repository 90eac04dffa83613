import Foundation
import PosGuardDomain
import SQLKit

/// Providers: the roots of tenants. Created by the operator of the PosGuard instance (CLI, demo data).
public struct ProviderRepository: Sendable {
    public init() {}

    /// Adds a provider.
    public func insert(_ provider: Provider, at now: Date, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "providers").columns("id", "name", "created_at")
            .values(SQLBind(provider.id.key), SQLBind(provider.name), SQLBind(now.millis)).run()
    }

    /// Every provider, by name.
    public func all(on work: UnitOfWork) async throws -> [Provider] {
        try await work.sql.select().columns("id", "name").from("providers").orderBy("name").all().map {
            Provider(id: try $0.uuid("id"), name: try $0.text("name"))
        }
    }
}
