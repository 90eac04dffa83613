import Foundation
import PosGuardDomain
import SQLKit

/// Stores of merchants, read and written only inside a scope.
public struct StoreRepository: Sendable {
    public init() {}

    static let columns = [
        "id", "provider_id", "merchant_id", "code", "name", "address", "city", "country", "time_zone",
        "business_hours", "geofence_latitude", "geofence_longitude", "geofence_radius_m", "created_at",
    ]

    /// Adds a store.
    public func insert(_ s: Store, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "stores").columns(Self.columns).values(Self.values(s)).run()
        work.changed(.store(s.id))
    }

    /// Saves every field of a store but its place in the tree.
    public func update(_ s: Store, on work: UnitOfWork) async throws {
        try await work.sql.update("stores")
            .set("code", to: s.code).set("name", to: s.name).set("address", to: s.address).set("city", to: s.city)
            .set("country", to: s.country).set("time_zone", to: s.timeZone)
            .set("business_hours", to: try Self.hoursJSON(s.businessHours))
            .set("geofence_latitude", to: s.geofence.latitude).set("geofence_longitude", to: s.geofence.longitude)
            .set("geofence_radius_m", to: s.geofence.radiusM)
            .where("id", .equal, s.id.key).run()
        work.changed(.store(s.id))
    }

    /// The store with this id, if it is inside the scope.
    public func find(_ id: UUID, in scope: Scope, on work: UnitOfWork) async throws -> Store? {
        try await work.sql.select().column("*").from("stores").where("id", .equal, id.key).scoped(scope, .stores)
            .first().map(Self.store)
    }

    /// The stores with these ids, by id, whatever their provider: for detection, which judges an agent's
    /// events in its own terminal's store.
    public func find(_ ids: [UUID], on work: UnitOfWork) async throws -> [UUID: Store] {
        Dictionary(
            try await work.rows(of: "stores", in: ids).map { row in try Self.store(row) }.map { ($0.id, $0) },
            uniquingKeysWith: { first, _ in first })
    }

    /// The store with this code, if it is inside the scope.
    public func find(code: String, in scope: Scope, on work: UnitOfWork) async throws -> Store? {
        try await work.sql.select().column("*").from("stores").where("code", .equal, code).scoped(scope, .stores)
            .first().map(Self.store)
    }

    /// Every store inside the scope, for lookups by code during an import.
    public func all(in scope: Scope, on work: UnitOfWork) async throws -> [Store] {
        try await work.sql.select().column("*").from("stores").scoped(scope, .stores).orderBy("id").all().map(
            Self.store)
    }

    /// A page of the stores inside the scope, optionally of one merchant, in creation order.
    public func list(in scope: Scope, merchant: UUID?, after cursor: Cursor?, limit: Int, on work: UnitOfWork)
        async throws -> Page<Store>
    {
        var query = work.sql.select().column("*").from("stores").scoped(scope, .stores)
        if let merchant { query = query.where("merchant_id", .equal, merchant.key) }
        let rows = try await query.page(after: cursor, limit: limit).all()
        return Page(fetched: try rows.map(Self.store), limit: limit, id: \.id)
    }

    static func values(_ s: Store) throws -> [any SQLExpression] {
        [
            SQLBind(s.id.key), SQLBind(s.providerID.key), SQLBind(s.merchantID.key), SQLBind(s.code), SQLBind(s.name),
            SQLBind(s.address), SQLBind(s.city), SQLBind(s.country), SQLBind(s.timeZone),
            SQLBind(try hoursJSON(s.businessHours)), SQLBind(s.geofence.latitude), SQLBind(s.geofence.longitude),
            SQLBind(s.geofence.radiusM), SQLBind(s.createdAt.millis),
        ]
    }

    static func hoursJSON(_ hours: BusinessHours) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(hours), as: UTF8.self)
    }

    static func store(_ row: any SQLRow) throws -> Store {
        guard let hours = BusinessHours(json: try row.text("business_hours")) else {
            throw CorruptRow(column: "business_hours")
        }
        return Store(
            id: try row.uuid("id"), providerID: try row.uuid("provider_id"), merchantID: try row.uuid("merchant_id"),
            code: try row.text("code"), name: try row.text("name"), address: try row.text("address"),
            city: try row.text("city"), country: try row.text("country"), timeZone: try row.text("time_zone"),
            businessHours: hours,
            geofence: Geofence(
                latitude: try row.double("geofence_latitude"), longitude: try row.double("geofence_longitude"),
                radiusM: try row.double("geofence_radius_m")),
            createdAt: try row.date("created_at"))
    }
}
