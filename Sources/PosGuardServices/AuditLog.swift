import Foundation
import PosGuardDomain
import PosGuardStorage

/// Reading the audit log: provider admins see their whole tenant's record.
public struct AuditLog: Sendable {
    let runtime: Runtime
    let repository = AuditRepository()

    public init(runtime: Runtime) { self.runtime = runtime }

    public func list(target: UUID?, after cursor: Cursor?, limit: Int, by caller: Caller) async throws -> Page<
        AuditEntry
    > {
        try caller.authorize(.readAudit, at: runtime.now())
        return try await runtime.database.withConnection {
            try await repository.list(in: caller.scope, target: target, after: cursor, limit: limit, on: $0)
        }
    }
}
