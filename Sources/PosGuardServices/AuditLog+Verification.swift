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
    /// checkpoints; names the first entry that is not what PosGuard wrote. Read a page at a time, each page in a
    /// hold of the database of its own (see `checkpoint()`), so the fleet's batches go on meanwhile; entries
    /// written meanwhile are left for the next check.
    public func verify() async throws -> AuditVerdict {
        let seal = runtime.secrets.auditSeal
        let (size, signed) = try await runtime.database.withConnection { db in
            (try await repository.size(on: db), try await checkpoints.all(on: db))
        }
        var check = AuditLogCheck(verifier: signer.verifier, checkpoints: signed)
        // Each page is read while the one before it is examined (on every core) and checked.
        var page = try await leaves(from: 0, to: min(Self.page, size))
        var start = Self.page
        while !page.isEmpty, !check.failed {
            let (from, to) = (start, min(start + Self.page, size))
            async let next = from < size ? leaves(from: from, to: to) : []
            for leaf in await Self.examined(page, seal: seal) { check.add(leaf) }
            page = try await next
            start += Self.page
        }
        // A row past the end the log counts now, or with no place at all, was not written by PosGuard.
        let strays = try await runtime.database.withConnection { db in
            try await repository.pastTheEnd(limit: 1, on: db) + repository.unplaced(limit: 1, on: db)
        }
        for row in strays { check.add(ExaminedAuditLeaf(row, seal: seal)) }
        return check.finish(size: size)
    }

    private func leaves(from start: Int, to end: Int) async throws -> [StoredAuditLeaf] {
        try await runtime.database.withConnection { try await repository.leaves(from: start, to: end, on: $0) }
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
