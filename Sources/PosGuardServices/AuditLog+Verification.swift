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
    /// written meanwhile are checked too, up to the end the log counts when the strays are looked for.
    public func verify() async throws -> AuditVerdict {
        let seal = runtime.secrets.auditSeal
        // The checkpoints before the size: none read can then be larger than the log counted.
        let (signed, size) = try await runtime.database.withConnection { db in
            let signed = try await checkpoints.all(on: db)
            return (signed, try await repository.size(on: db))
        }
        var check = AuditLogCheck(verifier: signer.verifier, checkpoints: signed)
        try await check.add(from: 0, to: size, of: self, seal: seal)
        // A row past the end the log counts, or with no place at all, was not written by PosGuard; what was
        // written up to that end while the pages were read is checked first.
        let (end, strays) = try await runtime.database.withConnection { db in
            let end = try await repository.size(on: db)
            return (end, try await repository.pastTheEnd(limit: 1, on: db) + repository.unplaced(limit: 1, on: db))
        }
        try await check.add(from: size, to: end, of: self, seal: seal)
        for row in strays { check.add(ExaminedAuditLeaf(row, seal: seal)) }
        return check.finish(size: end)
    }

    fileprivate func leaves(from start: Int, to end: Int) async throws -> [StoredAuditLeaf] {
        try await runtime.database.withConnection { try await repository.leaves(from: start, to: end, on: $0) }
    }

    /// The rows examined, in their order, a share of them on each core.
    fileprivate static func examined(_ rows: [StoredAuditLeaf], seal: AuditSeal) async -> [ExaminedAuditLeaf] {
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

extension AuditLogCheck {
    /// Checks the entries at places `from..<to` of `log`: each page is read while the one before it is examined
    /// (on every core) and checked.
    fileprivate mutating func add(from: Int, to: Int, of log: AuditLog, seal: AuditSeal) async throws {
        guard from < to else { return }
        var start = from
        var page = try await log.leaves(from: start, to: min(start + AuditLog.page, to))
        while !page.isEmpty, !failed {
            start += AuditLog.page
            let (next, end) = (start, min(start + AuditLog.page, to))
            async let following = next < to ? log.leaves(from: next, to: end) : []
            for leaf in await AuditLog.examined(page, seal: seal) { add(leaf) }
            page = try await following
        }
    }
}
