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
        let seal = runtime.secrets.auditSeal
        return try await runtime.database.withConnection { db in
            let size = try await repository.size(on: db)
            var check = AuditLogCheck(verifier: signer.verifier, checkpoints: try await checkpoints.all(on: db))
            // Each page is read while the one before it is examined (on every core) and checked.
            var page = try await repository.leaves(from: 0, to: min(Self.page, size), on: db)
            var start = Self.page
            while !page.isEmpty, !check.failed {
                let (from, to) = (start, min(start + Self.page, size))
                async let next = from < size ? repository.leaves(from: from, to: to, on: db) : []
                for leaf in await Self.examined(page, seal: seal) { check.add(leaf) }
                page = try await next
                start += Self.page
            }
            // A row past the counted end, or with no place at all, was not written by PosGuard.
            for row in try await repository.leaves(from: size, to: Int(Int64.max), on: db).prefix(1)
                + repository.unplaced(limit: 1, on: db)
            {
                check.add(ExaminedAuditLeaf(row, seal: seal))
            }
            return check.finish(size: size)
        }
    }

    /// The rows examined, in their order, a share of them on each core.
    private static func examined(_ rows: [StoredAuditLeaf], seal: AuditSeal) async -> [ExaminedAuditLeaf] {
        let share = max(1, (rows.count + cores - 1) / cores)
        return await withTaskGroup(of: (Int, [ExaminedAuditLeaf]).self) { group in
            for start in stride(from: 0, to: rows.count, by: share) {
                group.addTask {
                    (start, rows[start..<min(start + share, rows.count)].map { ExaminedAuditLeaf($0, seal: seal) })
                }
            }
            var shares = [(Int, [ExaminedAuditLeaf])]()
            for await share in group { shares.append(share) }
            return shares.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }

    private static let cores = ProcessInfo.processInfo.activeProcessorCount
}
