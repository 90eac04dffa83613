import Foundation
import PosGuardDomain
import PosGuardStorage

/// Stores: opened and edited by provider and merchant admins, each inside its own scope.
public struct StoreDirectory: Sendable {
    public struct Draft: Sendable, Decodable {
        public var merchantID: UUID
        public var code: String
        public var name: String
        public var address: String
        public var city: String
        public var country: String
        public var timeZone: String
        public var businessHours: BusinessHours
        public var geofence: Geofence

        public init(
            merchantID: UUID, code: String, name: String, address: String, city: String, country: String,
            timeZone: String, businessHours: BusinessHours, geofence: Geofence
        ) {
            self.merchantID = merchantID
            self.code = code
            self.name = name
            self.address = address
            self.city = city
            self.country = country
            self.timeZone = timeZone
            self.businessHours = businessHours
            self.geofence = geofence
        }
    }

    public struct Patch: Sendable, Decodable {
        public var code: String?
        public var name: String?
        public var address: String?
        public var city: String?
        public var country: String?
        public var timeZone: String?
        public var businessHours: BusinessHours?
        public var geofence: Geofence?

        public init(
            code: String? = nil, name: String? = nil, address: String? = nil, city: String? = nil,
            country: String? = nil, timeZone: String? = nil, businessHours: BusinessHours? = nil,
            geofence: Geofence? = nil
        ) {
            self.code = code
            self.name = name
            self.address = address
            self.city = city
            self.country = country
            self.timeZone = timeZone
            self.businessHours = businessHours
            self.geofence = geofence
        }
    }

    let runtime: Runtime
    let stores = StoreRepository()
    let merchants = MerchantRepository()
    var audit: AuditLog { AuditLog(runtime: runtime) }

    public init(runtime: Runtime) { self.runtime = runtime }

    public func create(_ draft: Draft, by caller: Caller) async throws -> Store {
        let now = runtime.now()
        try caller.authorize(.openStore, at: now)
        let store = Store(
            id: runtime.ids.next(), providerID: caller.scope.providerID, merchantID: draft.merchantID,
            code: draft.code.trimmingCharacters(in: .whitespaces),
            name: draft.name.trimmingCharacters(in: .whitespaces),
            address: draft.address.trimmingCharacters(in: .whitespaces),
            city: draft.city.trimmingCharacters(in: .whitespaces),
            country: draft.country.trimmingCharacters(in: .whitespaces), timeZone: draft.timeZone,
            businessHours: draft.businessHours, geofence: draft.geofence, createdAt: now)
        try store.validate()
        return try await runtime.database.transaction { db in
            guard try await merchants.find(draft.merchantID, in: caller.scope, on: db) != nil else {
                throw ValidationFailure([FieldError("merchant_id", "is not a merchant you manage")])
            }
            try await requireUniqueCode(store, on: db)
            try await stores.insert(store, on: db)
            try await audit.record(caller, "store.create", target: "store", id: store.id, after: store, at: now, on: db)
            return store
        }
    }

    public func update(_ id: UUID, _ patch: Patch, by caller: Caller) async throws -> Store {
        let now = runtime.now()
        return try await runtime.database.transaction { db in
            guard let before = try await stores.find(id, in: caller.scope, on: db) else {
                throw ServiceError.notFound("store")
            }
            try caller.authorize(.editStore, at: now)
            var after = before
            if let v = patch.code { after.code = v.trimmingCharacters(in: .whitespaces) }
            if let v = patch.name { after.name = v.trimmingCharacters(in: .whitespaces) }
            if let v = patch.address { after.address = v.trimmingCharacters(in: .whitespaces) }
            if let v = patch.city { after.city = v.trimmingCharacters(in: .whitespaces) }
            if let v = patch.country { after.country = v.trimmingCharacters(in: .whitespaces) }
            if let v = patch.timeZone { after.timeZone = v }
            if let v = patch.businessHours { after.businessHours = v }
            if let v = patch.geofence { after.geofence = v }
            try after.validate()
            guard after != before else { return before }
            if after.code != before.code { try await requireUniqueCode(after, on: db) }
            try await stores.update(after, on: db)
            try await audit.record(
                caller, "store.update", target: "store", id: id, before: before, after: after, at: now, on: db)
            return after
        }
    }

    public func find(_ id: UUID, by caller: Caller) async throws -> Store {
        let found = try await runtime.database.withConnection { try await stores.find(id, in: caller.scope, on: $0) }
        guard let found else { throw ServiceError.notFound("store") }
        return found
    }

    public func list(merchant: UUID?, after cursor: Cursor?, limit: Int, by caller: Caller) async throws -> Page<Store>
    {
        try await runtime.database.withConnection {
            try await stores.list(in: caller.scope, merchant: merchant, after: cursor, limit: limit, on: $0)
        }
    }

    private func requireUniqueCode(_ store: Store, on db: UnitOfWork) async throws {
        if try await stores.find(code: store.code, in: .provider(store.providerID), on: db) != nil {
            throw ServiceError.conflict(
                field: "code", message: "another store of this provider already has code \(store.code)")
        }
    }
}
