import Foundation
import PosGuardDomain
import PosGuardStorage

/// Merchants: created by the provider, edited by the provider or the merchant's own admins.
public struct MerchantDirectory: Sendable {
    public struct Draft: Sendable, Decodable {
        public var name: String
        public var securityContactEmail: String?

        public init(name: String, securityContactEmail: String? = nil) {
            self.name = name
            self.securityContactEmail = securityContactEmail
        }
    }

    public struct Patch: Sendable, Decodable {
        public var name: String?
        /// An empty string clears it.
        public var securityContactEmail: String?

        public init(name: String? = nil, securityContactEmail: String? = nil) {
            self.name = name
            self.securityContactEmail = securityContactEmail
        }
    }

    let runtime: Runtime
    let merchants = MerchantRepository()
    var audit: AuditLog { AuditLog(runtime: runtime) }

    public init(runtime: Runtime) { self.runtime = runtime }

    public func create(_ draft: Draft, by caller: Caller) async throws -> Merchant {
        let now = runtime.now()
        try caller.authorize(.createMerchant, at: now)
        let merchant = Merchant(
            id: runtime.ids.next(), providerID: caller.scope.providerID,
            name: draft.name.trimmingCharacters(in: .whitespacesAndNewlines),
            securityContactEmail: draft.securityContactEmail.map(EmailAddress.normalise).flatMap {
                $0.isEmpty ? nil : $0
            },
            createdAt: now)
        try merchant.validate()
        try await runtime.database.transaction { db in
            try await merchants.insert(merchant, on: db)
            try await audit.record(
                caller, "merchant.create", target: "merchant", id: merchant.id, after: merchant, at: now, on: db)
        }
        return merchant
    }

    public func update(_ id: UUID, _ patch: Patch, by caller: Caller) async throws -> Merchant {
        let now = runtime.now()
        return try await runtime.database.transaction { db in
            guard let before = try await merchants.find(id, in: caller.scope, on: db) else {
                throw ServiceError.notFound("merchant")
            }
            try caller.authorize(.editMerchant, at: now)
            var after = before
            if let name = patch.name { after.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
            if let email = patch.securityContactEmail.map(EmailAddress.normalise) {
                after.securityContactEmail = email.isEmpty ? nil : email
            }
            try after.validate()
            guard after != before else { return before }
            try await merchants.update(after, on: db)
            try await audit.record(
                caller, "merchant.update", target: "merchant", id: id, before: before, after: after, at: now, on: db)
            return after
        }
    }

    public func find(_ id: UUID, by caller: Caller) async throws -> Merchant {
        let found = try await runtime.database.withConnection { try await merchants.find(id, in: caller.scope, on: $0) }
        guard let found else { throw ServiceError.notFound("merchant") }
        return found
    }

    public func list(after cursor: Cursor?, limit: Int, by caller: Caller) async throws -> Page<Merchant> {
        try await runtime.database.withConnection {
            try await merchants.list(in: caller.scope, after: cursor, limit: limit, on: $0)
        }
    }
}
