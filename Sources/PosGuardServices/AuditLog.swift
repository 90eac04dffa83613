import Foundation
import PosGuardDomain
import PosGuardStorage

/// The audit log: every service records each state change in the unit of work that makes it, with the target
/// before and after as JSON in the API's own shape; provider admins read their whole tenant's record. Each entry is
/// a leaf of a Merkle tree with signed checkpoints, so a change made behind PosGuard's back shows (see
/// `AuditLog+Checkpoints`, `AuditLog+Proofs`, `AuditLog+Verification`).
public struct AuditLog: Sendable {
    let runtime: Runtime
    let repository = AuditRepository()
    let checkpoints = AuditCheckpointRepository()

    public init(runtime: Runtime) { self.runtime = runtime }

    public func list(target: UUID?, after cursor: Cursor?, limit: Int, by caller: Caller) async throws -> Page<
        AuditEntry
    > {
        try caller.authorize(.readAudit, at: runtime.now())
        return try await runtime.database.withConnection {
            try await repository.list(in: caller.scope, target: target, after: cursor, limit: limit, on: $0)
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = JSONKeys.encoding
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    func entry(
        _ caller: Caller, _ action: String, target: String, id: UUID?, provider: UUID? = nil,
        before: (any Encodable)? = nil, after: (any Encodable)? = nil, reason: String? = nil, at now: Date
    ) -> AuditEntry {
        AuditEntry(
            id: runtime.ids.next(), at: now, providerID: provider ?? caller.scope.providerID, actorID: caller.userID,
            actor: caller.name, action: action, targetType: target, targetID: id, before: before.flatMap(Self.json),
            after: after.flatMap(Self.json), reason: reason, source: caller.source)
    }

    func record(
        _ caller: Caller, _ action: String, target: String, id: UUID?, provider: UUID? = nil,
        before: (any Encodable)? = nil, after: (any Encodable)? = nil, reason: String? = nil, at now: Date,
        on db: UnitOfWork
    ) async throws {
        let entry = entry(
            caller, action, target: target, id: id, provider: provider, before: before, after: after, reason: reason,
            at: now)
        try await record([entry], on: db)
    }

    /// Records entries made with `entry(...)` in one go (an import), sealed under the master key.
    func record(_ entries: [AuditEntry], on db: UnitOfWork) async throws {
        try await repository.append(entries, sealedWith: runtime.secrets.auditSeal, on: db)
    }

    static func json(_ value: any Encodable) -> String? {
        (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }
}
