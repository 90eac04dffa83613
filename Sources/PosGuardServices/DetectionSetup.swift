import Foundation
import PosGuardDomain
import PosGuardStorage

/// What people tune about detection: threshold overrides per merchant, store or terminal, and each store's
/// roster of operators.
public struct DetectionSetup: Sendable {
    public struct View: Sendable, Encodable {
        public var overrides: DetectionOverrides
        /// The settings in force at this level, after every broader level's overrides.
        public var effective: DetectionSettings
    }

    public struct OperatorDraft: Sendable, Decodable {
        public var name: String

        public init(name: String) { self.name = name }
    }

    let runtime: Runtime
    let repository = DetectionRepository()
    let merchants = MerchantRepository()
    let stores = StoreRepository()
    let terminals = TerminalRepository()
    var audit: AuditLog { AuditLog(runtime: runtime) }

    public init(runtime: Runtime) { self.runtime = runtime }

    public func settings(_ level: DetectionSettings.Level, _ id: UUID, by caller: Caller) async throws -> View {
        try await runtime.database.withConnection { db in
            var chain: [DetectionOverrides] = []
            for owner in try await owners(level, id, caller, db) {
                chain.append(try await repository.overrides(of: owner, on: db))
            }
            let effective = DetectionSettings.effective(
                merchant: chain.first, store: chain.dropFirst().first, terminal: chain.dropFirst(2).first)
            return View(overrides: chain.last ?? DetectionOverrides(), effective: effective)
        }
    }

    public func setSettings(
        _ level: DetectionSettings.Level, _ id: UUID, _ overrides: DetectionOverrides, by caller: Caller
    )
        async throws -> View
    {
        let now = runtime.now()
        try caller.authorize(.tuneDetection, at: now)
        try overrides.validate()
        try await runtime.database.transaction { db in
            _ = try await owners(level, id, caller, db)
            let before = try await repository.overrides(of: id, on: db)
            try await repository.setOverrides(
                overrides, of: id, level: level, provider: caller.scope.providerID, at: now, on: db)
            try await audit.record(
                caller, "detection.settings", target: level.rawValue, id: id, before: before, after: overrides, at: now,
                on: db)
        }
        return try await settings(level, id, by: caller)
    }

    public func roster(of store: UUID, by caller: Caller) async throws -> [StoreOperator] {
        try await runtime.database.withConnection { db in
            guard try await stores.find(store, in: caller.scope, on: db) != nil else {
                throw ServiceError.notFound("store")
            }
            return try await repository.roster(of: store, in: caller.scope, on: db)
        }
    }

    public func putOperator(_ operatorID: String, _ draft: OperatorDraft, store: UUID, by caller: Caller) async throws
        -> StoreOperator
    {
        var v = Validator()
        let opID = v.text(operatorID, "operator_id", max: 64) ?? ""
        let name = v.text(draft.name, "name", max: 200) ?? ""
        try v.finish()
        let op = StoreOperator(storeID: store, operatorID: opID, name: name, addedAt: runtime.now())
        try await editRoster(store, by: caller, action: "store.operator_put", target: op) { db in
            try await repository.putOperator(op, on: db)
        }
        return op
    }

    public func removeOperator(_ operatorID: String, store: UUID, by caller: Caller) async throws {
        try await editRoster(store, by: caller, action: "store.operator_remove", target: ["operator_id": operatorID]) {
            db in
            guard try await repository.removeOperator(store: store, operatorID: operatorID, on: db) else {
                throw ServiceError.notFound("operator")
            }
        }
    }

    private func editRoster(
        _ store: UUID, by caller: Caller, action: String, target: any Encodable,
        _ edit: (UnitOfWork) async throws -> Void
    ) async throws {
        let now = runtime.now()
        try await runtime.database.transaction { db in
            guard try await stores.find(store, in: caller.scope, on: db) != nil else {
                throw ServiceError.notFound("store")
            }
            try caller.authorize(.keepRoster, at: now)
            try await edit(db)
            try await audit.record(caller, action, target: "store", id: store, after: target, at: now, on: db)
        }
    }

    /// The owners whose overrides apply at this level, broadest first; checks the owner is in scope.
    private func owners(_ level: DetectionSettings.Level, _ id: UUID, _ caller: Caller, _ db: UnitOfWork)
        async throws
        -> [UUID]
    {
        switch level {
        case .merchant:
            guard try await merchants.find(id, in: caller.scope, on: db) != nil else {
                throw ServiceError.notFound("merchant")
            }
            return [id]
        case .store:
            guard let store = try await stores.find(id, in: caller.scope, on: db) else {
                throw ServiceError.notFound("store")
            }
            return [store.merchantID, id]
        case .terminal:
            guard let t = try await terminals.find(id, in: caller.scope, on: db) else {
                throw ServiceError.notFound("terminal")
            }
            return [t.merchantID, t.storeID, id]
        }
    }
}
