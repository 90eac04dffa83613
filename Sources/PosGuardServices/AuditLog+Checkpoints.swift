import Crypto
import Foundation
import PosGuardDomain
import PosGuardStorage

extension AuditLog {
    /// The Ed25519 key that signs checkpoints, derived from the master key, named by the log's origin:
    /// `posguard-audit/` and the first 8 bytes of SHA-256 of the public key in hex, one name per master key.
    var signer: NoteSigner {
        let seed = runtime.secrets.auditSigningSeed
        // A 32-byte seed is always an Ed25519 key.
        let publicKey = try! Curve25519.Signing.PrivateKey(rawRepresentation: seed).publicKey.rawRepresentation
        let origin =
            "posguard-audit/"
            + SHA256.hash(data: publicKey).prefix(8).map { String(format: "%02x", $0) }
            .joined()
        return try! NoteSigner(name: origin, seed: seed)
    }

    /// The key that checks this log's checkpoints, in the signed-note verifier-key form.
    public var verifierKey: String { signer.verifier.verifierKey }

    /// The latest checkpoint's signed note, made now when the log grew since the last one.
    public func checkpoint(by caller: Caller) async throws -> String {
        try caller.authorize(.proveAudit, at: runtime.now())
        return try await checkpoint().note
    }

    /// Signs a checkpoint when the log grew since the last one: the periodic job (every minute or so). Returns how
    /// many entries the new checkpoint added, 0 when there was nothing new.
    public func checkpointIfGrown() async throws -> Int {
        let before = try await runtime.database.withConnection { try await checkpoints.latest(on: $0)?.stored.size }
        return try await checkpoint().size - (before ?? 0)
    }

    /// The checkpoint of the log as it stands: the latest one when nothing was added since, else a new one made from
    /// it and the entries added since, each checked against its seal first — PosGuard never signs an entry it did
    /// not write. Entries below a size never change, so they are read a page at a time, each page holding the
    /// connection only while it is read (SQLite has one: thousands of entries read at once held back every batch of
    /// the fleet for as long).
    func checkpoint() async throws -> (note: String, size: Int) {
        let (size, latest) = try await runtime.database.withConnection { db in
            (try await repository.size(on: db), try await checkpoints.latest(on: db))
        }
        let signer = signer
        var frontier = MerkleFrontier()
        if let latest {
            guard let stored = latest.frontier,
                let text = signer.verifier.open(latest.stored.note), let signed = Checkpoint(text: text),
                signed.size == stored.size, signed.root == stored.root
            else { throw Self.altered("the latest checkpoint (size \(latest.stored.size)) was altered") }
            if stored.size >= size { return (latest.stored.note, stored.size) }
            frontier = stored
        }
        guard size > 0 else {
            return (try signer.sign(Checkpoint(origin: signer.name, size: 0, root: frontier.root).text), 0)
        }
        let seal = runtime.secrets.auditSeal
        for start in stride(from: frontier.size, to: size, by: Self.page) {
            for leaf in try await leafHashes(from: start, to: min(start + Self.page, size)) {
                guard leaf.index == frontier.size, leaf.seal == seal.seal(index: leaf.index, leaf: leaf.hash) else {
                    throw Self.altered("the entry at leaf index \(frontier.size) was altered, moved or removed")
                }
                frontier.append(leaf.hash)
            }
        }
        guard frontier.size == size else {
            throw Self.altered("the entry at leaf index \(frontier.size) was removed")
        }
        let note = try signer.sign(Checkpoint(origin: signer.name, size: size, root: frontier.root).text)
        try await runtime.database.withConnection { [frontier] db in
            try await checkpoints.insert(size: size, note: note, frontier: frontier, at: runtime.now(), on: db)
        }
        return (note, size)
    }

    /// One page of stored leaf hashes, in a hold of the connection of its own.
    func leafHashes(from start: Int, to end: Int) async throws -> [(index: Int64, hash: TreeHash, seal: String?)] {
        try await runtime.database.withConnection { try await repository.leafHashes(from: start, to: end, on: $0) }
    }

    /// How many entries are read at a time.
    static let page = 2_000

    /// The log was changed behind PosGuard's back: no checkpoint or proof is made over it.
    static func altered(_ what: String) -> ServiceError {
        .conflict(field: nil, message: "\(what): run `posguard audit verify` to find the first altered entry")
    }
}
