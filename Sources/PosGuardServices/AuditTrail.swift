import Foundation
import PosGuardDomain
import PosGuardStorage

/// Writes audit entries for the services, snapshotting targets as JSON in the API's own shape.
struct AuditTrail: Sendable {
    let runtime: Runtime
    let repository = AuditRepository()

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
        try await repository.append([entry], on: db)
    }

    static func json(_ value: any Encodable) -> String? {
        (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) }
    }
}
