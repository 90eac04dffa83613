import Foundation
import PosGuardDomain
import SQLKit

/// What detection reads about a terminal's surroundings: overrides of its settings, and store rosters.
public struct DetectionRepository: Sendable {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = JSONKeys.encoding
        e.outputFormatting = .sortedKeys
        return e
    }()
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = JSONKeys.decoding
        return d
    }()

    public init() {}

    public func overrides(of owner: UUID, on work: UnitOfWork) async throws -> DetectionOverrides {
        try await overrides(of: [owner], on: work)[owner] ?? DetectionOverrides()
    }

    /// The overrides of several merchants, stores or terminals at once, by owner; an owner without any is absent.
    public func overrides(of owners: [UUID], on work: UnitOfWork) async throws -> [UUID: DetectionOverrides] {
        var found: [UUID: DetectionOverrides] = [:]
        for row in try await work.rows(
            of: "detection_overrides", columns: ["owner_id", "overrides"], where: "owner_id", in: owners)
        {
            found[try row.uuid("owner_id")] = try Self.decoder.decode(
                DetectionOverrides.self, from: Data(try row.text("overrides").utf8))
        }
        return found
    }

    /// The operator ids on the rosters of several stores at once, by store; a store without a roster is absent.
    public func rosters(of stores: [UUID], on work: UnitOfWork) async throws -> [UUID: Set<String>] {
        var found: [UUID: Set<String>] = [:]
        for row in try await work.rows(
            of: "store_operators", columns: ["store_id", "operator_id"], where: "store_id", in: stores)
        {
            found[try row.uuid("store_id"), default: []].insert(try row.text("operator_id"))
        }
        return found
    }

    public func setOverrides(
        _ o: DetectionOverrides, of owner: UUID, level: DetectionSettings.Level, provider: UUID, at now: Date,
        on work: UnitOfWork
    ) async throws {
        let json = String(decoding: try Self.encoder.encode(o), as: UTF8.self)
        try await work.sql.insert(into: "detection_overrides").columns(
            "owner_id", "provider_id", "level", "overrides", "updated_at"
        )
        .values(SQLBind(owner.key), SQLBind(provider.key), SQLBind(level.rawValue), SQLBind(json), SQLBind(now.millis))
        .onConflict(with: ["owner_id"]) { $0.set(excludedValueOf: "overrides").set(excludedValueOf: "updated_at") }
        .run()
        switch level {
        case .merchant: work.changed(.merchant(owner))
        case .store: work.changed(.store(owner))
        case .terminal: work.changed(.terminal(owner))
        }
    }

    public func roster(of store: UUID, in scope: Scope, on work: UnitOfWork) async throws -> [StoreOperator] {
        try await work.sql.select().column("*").from("store_operators").where("store_id", .equal, store.key)
            .scoped(scope, through: "store_id", of: "stores", .stores).orderBy("operator_id")
            .all().map { row in
                StoreOperator(
                    storeID: try row.uuid("store_id"), operatorID: try row.text("operator_id"),
                    name: try row.text("name"),
                    addedAt: try row.date("added_at"))
            }
    }

    public func putOperator(_ op: StoreOperator, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "store_operators").columns("store_id", "operator_id", "name", "added_at")
            .values(SQLBind(op.storeID.key), SQLBind(op.operatorID), SQLBind(op.name), SQLBind(op.addedAt.millis))
            .onConflict(with: ["store_id", "operator_id"]) { $0.set(excludedValueOf: "name") }
            .run()
        work.changed(.store(op.storeID))
    }

    /// Removes an operator from a roster; false when they were not on it.
    public func removeOperator(store: UUID, operatorID: String, on work: UnitOfWork) async throws -> Bool {
        let rows = try await work.sql.delete(from: "store_operators").where("store_id", .equal, store.key)
            .where("operator_id", .equal, operatorID).returning("operator_id").all()
        if !rows.isEmpty { work.changed(.store(store)) }
        return !rows.isEmpty
    }
}
