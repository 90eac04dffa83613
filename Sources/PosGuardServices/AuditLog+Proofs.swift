import Foundation
import PosGuardDomain
import PosGuardStorage

/// That one entry is in the log at a signed size: RFC 6962's audit path from its leaf to the checkpoint's root.
public struct AuditInclusionProof: Sendable, Encodable {
    public var leafIndex: Int
    public var treeSize: Int
    /// The base64 of the exact bytes hashed as the leaf (`AuditLeaf`).
    public var entry: String
    /// Sibling hashes from the leaf up, in hex.
    public var auditPath: [String]
    /// The signed note of the checkpoint of `treeSize` entries.
    public var checkpoint: String
}

/// That the log at one size is a prefix of the log at a later, signed size: RFC 6962's consistency proof.
public struct AuditConsistencyProof: Sendable, Encodable {
    public var from: Int
    public var treeSize: Int
    /// The proof's hashes, in hex.
    public var proof: [String]
    /// The signed note of the checkpoint of `treeSize` entries.
    public var checkpoint: String
}

extension AuditLog {
    /// The proof that an entry in the caller's scope is in the log, against the latest checkpoint holding it (made
    /// now when none does yet).
    public func inclusionProof(of id: UUID, by caller: Caller) async throws -> AuditInclusionProof {
        try caller.authorize(.proveAudit, at: runtime.now())
        var (stored, latest) = try await runtime.database.withConnection { db in
            (
                try await repository.leaf(id, in: caller.scope, on: db),
                try await checkpoints.latest(on: db).map { (note: $0.stored.note, size: $0.stored.size) }
            )
        }
        guard let stored, let index = stored.leafIndex else { throw ServiceError.notFound("audit entry") }
        if latest == nil || latest!.size <= index { latest = try await checkpoint() }
        let (note, size) = latest!
        let leaves = try await leafHashes(below: size)
        guard leaves[Int(index)] == stored.leaf.hash else {
            throw Self.altered("the entry \(stored.leaf.id) was altered")
        }
        return AuditInclusionProof(
            leafIndex: Int(index), treeSize: size, entry: Data(stored.leaf.bytes).base64EncodedString(),
            auditPath: MerkleTree.auditPath(of: Int(index), in: leaves[...]).map(\.hex), checkpoint: note)
    }

    /// The proof that the log of `from` entries is a prefix of the log at the checkpoint of `to` entries (the
    /// latest, made now when the log grew, when `to` is not given).
    public func consistencyProof(from: Int, to: Int?, by caller: Caller) async throws -> AuditConsistencyProof {
        try caller.authorize(.proveAudit, at: runtime.now())
        let (note, size): (String, Int)
        if let to,
            let stored = try await runtime.database.withConnection({
                try await checkpoints.checkpoint(size: to, on: $0)
            })
        {
            (note, size) = (stored, to)
        } else {
            (note, size) = try await checkpoint()
            if let to, to != size { throw ServiceError.notFound("checkpoint of size \(to)") }
        }
        guard from >= 1, from <= size else {
            throw ValidationFailure([FieldError("from", "must be a tree size from 1 to \(size)")])
        }
        let leaves = try await leafHashes(below: size)
        return AuditConsistencyProof(
            from: from, treeSize: size, proof: MerkleTree.consistencyProof(from: from, in: leaves[...]).map(\.hex),
            checkpoint: note)
    }

    /// The stored leaf hashes of the first `size` entries, a page at a time (see `checkpoint()`): a signed checkpoint
    /// covers them, so a proof made from altered ones fails its check rather than deceiving anyone.
    private func leafHashes(below size: Int) async throws -> [TreeHash] {
        var hashes: [TreeHash] = []
        hashes.reserveCapacity(size)
        for start in stride(from: 0, to: size, by: Self.page) {
            hashes += try await leafHashes(from: start, to: min(start + Self.page, size)).map(\.hash)
        }
        guard hashes.count == size else { throw Self.altered("the entry at leaf index \(hashes.count) was removed") }
        return hashes
    }
}
