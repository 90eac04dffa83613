/// One audit entry as the database holds it, for a check of the whole log.
public struct StoredAuditLeaf: Sendable {
    /// Its place in the log (nil for a row PosGuard did not write).
    public var leafIndex: Int64?
    public var leaf: AuditLeaf
    public var leafHash: String?
    public var seal: String?

    public init(leafIndex: Int64?, leaf: AuditLeaf, leafHash: String?, seal: String?) {
        self.leafIndex = leafIndex
        self.leaf = leaf
        self.leafHash = leafHash
        self.seal = seal
    }
}

/// An entry as read, with what can be judged of it alone: its leaf hash recomputed from its values, and whether the
/// stored leaf hash and seal match. Entries are examined apart from the check (`AuditLogCheck.add`), which needs
/// them in order, so many can be examined at once.
public struct ExaminedAuditLeaf: Sendable {
    /// As the API writes ids (upper case).
    public var id: String
    public var leafIndex: Int64?
    public var hash: TreeHash
    public var hashMatches: Bool
    /// Whether the seal is valid for the entry at its stored place (the check then requires that place).
    public var sealMatches: Bool

    public init(_ row: StoredAuditLeaf, seal: AuditSeal) {
        id = row.leaf.id.uppercased()
        leafIndex = row.leafIndex
        let hash = row.leaf.hash
        self.hash = hash
        hashMatches = row.leafHash == hash.hex
        sealMatches = row.leafIndex.map { row.seal == seal.seal(index: $0, leaf: hash) } ?? false
    }
}

/// What a check of the whole audit log found: intact, or the first entry that is not what PosGuard wrote.
public struct AuditVerdict: Sendable, Equatable {
    public var ok: Bool
    /// How many entries the log counts.
    public var treeSize: Int
    /// The id of the first entry (in log order) changed, added, moved or following a removed one; nil when
    /// intact, or when what was altered is a checkpoint or the end of the log.
    public var firstBadEntry: String?
    /// What is wrong, in words; nil when intact.
    public var problem: String?

    public init(ok: Bool, treeSize: Int, firstBadEntry: String?, problem: String?) {
        self.ok = ok
        self.treeSize = treeSize
        self.firstBadEntry = firstBadEntry
        self.problem = problem
    }
}

/// A check of the whole audit log in one pass, entries fed in leaf order: each entry must sit at its place with
/// no gap, hash to its stored leaf hash, and carry a valid seal (`AuditSeal`, judged by `ExaminedAuditLeaf`); the tree they make must have, at
/// each signed checkpoint's size, that checkpoint's root; the latest checkpoint's signature must verify, and no
/// checkpoint may be larger than the log. Holds only the tree's right edge, so memory does not grow with the log.
public struct AuditLogCheck: Sendable {
    private let verifier: NoteVerifier
    /// Checkpoints not yet reached, smallest first, with their note.
    private var pending: [(checkpoint: Checkpoint?, size: Int, note: String)]
    private var latestNote: String?
    private var frontier = MerkleFrontier()
    private var lastID: String?
    private var coveredSize = 0
    private var firstUncovered: String?
    private var found: (entry: String?, problem: String)?

    /// `checkpoints`: every stored checkpoint as (size, signed note), in any order.
    public init(verifier: NoteVerifier, checkpoints: [(size: Int, note: String)]) {
        self.verifier = verifier
        let sorted = checkpoints.sorted { $0.size < $1.size }
        latestNote = sorted.last?.note
        pending = sorted.map { size, note in
            let checkpoint = SignedNote.split(note).flatMap { Checkpoint(text: $0.text) }
            return (checkpoint?.size == size && checkpoint?.origin == verifier.name ? checkpoint : nil, size, note)
        }
    }

    /// Whether a problem was found: later entries change nothing.
    public var failed: Bool { found != nil }

    public mutating func add(_ row: ExaminedAuditLeaf) {
        guard found == nil else { return }
        let position = frontier.size
        let id = row.id
        lastID = id
        guard let index = row.leafIndex else {
            return fail(id, "entry \(id) has no place in the log: it was added outside PosGuard")
        }
        guard index == position else {
            return fail(
                id,
                index > position
                    ? "entry \(id) is at leaf index \(index) but the log holds \(position) entries before it: "
                        + "an entry before it was removed"
                    : "entry \(id) holds leaf index \(index), already taken by an earlier entry")
        }
        guard row.hashMatches else {
            return fail(id, "entry \(id) does not hash to its leaf hash: it was changed after it was written")
        }
        guard row.sealMatches else {
            return fail(id, "entry \(id) does not carry a valid seal: it was changed, moved or added outside PosGuard")
        }
        let hash = row.hash
        if position == coveredSize { firstUncovered = id }
        frontier.append(hash)
        while let next = pending.first, next.size <= frontier.size {
            pending.removeFirst()
            guard next.size == frontier.size else { continue }
            // A signature costs far more than a hash: only a mismatch, and the latest checkpoint, are checked.
            guard let checkpoint = next.checkpoint, checkpoint.root == frontier.root else {
                guard next.checkpoint != nil, verifier.open(next.note) != nil else {
                    return fail(nil, "the checkpoint of size \(next.size) was altered: its signature does not verify")
                }
                return fail(
                    firstUncovered,
                    "the entries from leaf index \(coveredSize) on do not give the root signed at size \(next.size)")
            }
            coveredSize = next.size
        }
    }

    /// The verdict, for a log that counts `size` entries.
    public mutating func finish(size: Int) -> AuditVerdict {
        if found == nil, frontier.size < size {
            fail(
                nil,
                "the log counts \(size) entries but holds \(frontier.size) in order: entries were removed from its end")
        }
        if found == nil, frontier.size > size {
            fail(
                lastID,
                "entry \(lastID ?? "") lies past the \(size) entries the log counts: it was added outside PosGuard")
        }
        if found == nil, let beyond = pending.first(where: { $0.size > frontier.size }) {
            fail(
                nil,
                verifier.open(beyond.note) == nil
                    ? "the checkpoint of size \(beyond.size) was altered: its signature does not verify"
                    : "the log holds \(frontier.size) entries in order but a checkpoint signed \(beyond.size): "
                        + "entries were removed from its end")
        }
        if found == nil, let latestNote, verifier.open(latestNote) == nil {
            fail(nil, "the latest checkpoint was altered: its signature does not verify")
        }
        return AuditVerdict(ok: found == nil, treeSize: size, firstBadEntry: found?.entry, problem: found?.problem)
    }

    private mutating func fail(_ entry: String?, _ problem: String) {
        if found == nil { found = (entry, problem) }
    }
}
