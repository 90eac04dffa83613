import Foundation
import PosGuardDomain
import PosGuardStorage

extension AuditLog {
    /// Checks the whole log (`AuditLogCheck`), for a provider admin.
    public func verify(by caller: Caller) async throws -> AuditVerdict {
        try caller.authorize(.proveAudit, at: runtime.now())
        return try await verify()
    }

    /// Checks the whole log: every entry recomputed from its row, in order, against its seal and the signed
    /// checkpoints; names the first entry that is not what PosGuard wrote.
    public func verify() async throws -> AuditVerdict {
        try await runtime.database.withConnection { db in
            let size = try await repository.size(on: db)
            var check = AuditLogCheck(
                seal: runtime.secrets.auditSeal, verifier: signer.verifier,
                checkpoints: try await checkpoints.all(on: db))
            // Each page is read while the one before it is checked: the database and the hashing overlap.
            var page = try await repository.leaves(from: 0, to: min(Self.page, size), on: db)
            var start = Self.page
            while !page.isEmpty, !check.failed {
                let (from, to) = (start, min(start + Self.page, size))
                async let next = from < size ? repository.leaves(from: from, to: to, on: db) : []
                for row in page { check.add(row) }
                page = try await next
                start += Self.page
            }
            // A row past the counted end, or with no place at all, was not written by PosGuard.
            for row in try await repository.leaves(from: size, to: Int(Int64.max), on: db).prefix(1)
                + repository.unplaced(limit: 1, on: db)
            {
                check.add(row)
            }
            return check.finish(size: size)
        }
    }
}
