import Foundation
import PosGuardDomain
import SQLKit

/// Merchants of a provider, read and written only inside a scope.
public struct MerchantRepository: Sendable {
    public init() {}

    /// Adds a merchant.
    public func insert(_ m: Merchant, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "merchants")
            .columns("id", "provider_id", "name", "security_contact_email", "created_at")
            .values(
                SQLBind(m.id.key), SQLBind(m.providerID.key), SQLBind(m.name), SQLBind(m.securityContactEmail),
                SQLBind(m.createdAt.millis)
            )
            .run()
    }

    /// Saves the editable fields of a merchant.
    public func update(_ m: Merchant, on work: UnitOfWork) async throws {
        try await work.sql.update("merchants").set("name", to: m.name).set(
            "security_contact_email", to: m.securityContactEmail
        )
        .where("id", .equal, m.id.key).run()
        work.changed(.merchant(m.id))
    }

    /// The merchant with this id, if it is inside the scope.
    public func find(_ id: UUID, in scope: Scope, on work: UnitOfWork) async throws -> Merchant? {
        try await work.sql.select().column("*").from("merchants").where("id", .equal, id.key).scoped(scope, .merchants)
            .first().map(Self.merchant)
    }

    /// A page of the merchants inside the scope, in creation order.
    public func list(in scope: Scope, after cursor: Cursor?, limit: Int, on work: UnitOfWork) async throws
        -> Page<Merchant>
    {
        let rows = try await work.sql.select().column("*").from("merchants").scoped(scope, .merchants)
            .page(after: cursor, limit: limit).all()
        return Page(fetched: try rows.map(Self.merchant), limit: limit, id: \.id)
    }

    static func merchant(_ row: any SQLRow) throws -> Merchant {
        Merchant(
            id: try row.uuid("id"), providerID: try row.uuid("provider_id"), name: try row.text("name"),
            securityContactEmail: try row.optionalText("security_contact_email"), createdAt: try row.date("created_at"))
    }
}
