import Foundation
import PosGuardDomain
import SQLKit

/// The audit log. Entries are only ever appended: this type, the one code path to the table, has no way
/// to change or remove one. Each takes the next place in the log's Merkle tree, with its leaf hash and seal.
public struct AuditRepository: Sendable {
    public init() {}

    /// Appends entries, in the caller's transaction so they commit with the change they describe. Their places come
    /// from the one-row counter, whose row stays locked until the transaction ends: places are handed out in commit
    /// order, with no gap and no place twice, however many instances write.
    public func append(_ entries: [AuditEntry], sealedWith seal: AuditSeal, on work: UnitOfWork) async throws {
        guard !entries.isEmpty else { return }
        let counter = try await work.sql.raw(
            "UPDATE audit_tree SET size = size + \(bind: entries.count) WHERE id = 1 RETURNING size"
        ).first()
        guard let end = try counter?.int("size") else { throw CorruptRow(column: "audit_tree.size") }
        var index = end - Int64(entries.count)
        for start in stride(from: 0, to: entries.count, by: TerminalRepository.batchSize) {
            var insert = work.sql.insert(into: "audit_log").columns(
                "id", "at", "provider_id", "actor_id", "actor", "action", "target_type", "target_id", "before", "after",
                "reason", "source", "leaf_index", "leaf_hash", "seal")
            for e in entries[start..<min(start + TerminalRepository.batchSize, entries.count)] {
                let leaf = AuditLeaf(e)
                let hash = leaf.hash
                insert = insert.values(
                    SQLBind(leaf.id), SQLBind(leaf.atMillis), SQLBind(leaf.providerID), SQLBind(leaf.actorID),
                    SQLBind(leaf.actor), SQLBind(leaf.action), SQLBind(leaf.targetType), SQLBind(leaf.targetID),
                    SQLBind(leaf.before), SQLBind(leaf.after), SQLBind(leaf.reason), SQLBind(leaf.source),
                    SQLBind(index), SQLBind(hash.hex), SQLBind(seal.seal(index: index, leaf: hash)))
                index += 1
            }
            try await insert.run()
        }
    }

    /// A page of the audit log in scope (a whole provider's: its rows name no narrower place), oldest first,
    /// optionally about one target.
    public func list(in scope: Scope, target: UUID?, after cursor: Cursor?, limit: Int, on work: UnitOfWork)
        async throws -> Page<AuditEntry>
    {
        var query = work.sql.select().column("*").from("audit_log").scoped(scope, .providerWide)
        if let target { query = query.where("target_id", .equal, target.key) }
        let rows = try await query.page(after: cursor, limit: limit).all()
        return Page(fetched: try rows.map(Self.entry), limit: limit, id: \.id)
    }

    /// One entry in scope as a leaf of the tree, with its place; nil when out of scope or absent.
    public func leaf(_ id: UUID, in scope: Scope, on work: UnitOfWork) async throws -> StoredAuditLeaf? {
        try await work.sql.select().column("*").from("audit_log").scoped(scope, .providerWide)
            .where("id", .equal, id.key).first().map(Self.storedLeaf)
    }

    /// How many entries the log holds, as committed.
    public func size(on work: UnitOfWork) async throws -> Int {
        let row = try await work.sql.select().column("size").from("audit_tree").where("id", .equal, 1).first()
        return Int(try row?.int("size") ?? 0)
    }

    /// The entries at places `from..<to`, in order, as stored (for a check, which must not trust them).
    public func leaves(from: Int, to: Int, on work: UnitOfWork) async throws -> [StoredAuditLeaf] {
        try await work.rawRows(
            "SELECT \(Self.leafColumns.joined(separator: ", ")) FROM audit_log WHERE leaf_index >= ? AND leaf_index < ? "
                + "ORDER BY leaf_index", binds: [Int64(from), Int64(to)], columns: Self.leafColumns, Self.storedLeaf)
    }

    /// Entries placed at or past the end the log counts, read with the count in one statement (so an entry
    /// written meanwhile is never taken for one): rows PosGuard did not write.
    public func pastTheEnd(limit: Int, on work: UnitOfWork) async throws -> [StoredAuditLeaf] {
        try await work.rawRows(
            "SELECT \(Self.leafColumns.joined(separator: ", ")) FROM audit_log WHERE leaf_index >= "
                + "COALESCE((SELECT size FROM audit_tree WHERE id = 1), 0) ORDER BY leaf_index LIMIT ?",
            binds: [Int64(limit)],
            columns: Self.leafColumns, Self.storedLeaf)
    }

    /// Entries with no place in the log: rows PosGuard did not write.
    public func unplaced(limit: Int, on work: UnitOfWork) async throws -> [StoredAuditLeaf] {
        try await work.rawRows(
            "SELECT \(Self.leafColumns.joined(separator: ", ")) FROM audit_log WHERE leaf_index IS NULL ORDER BY id "
                + "LIMIT ?", binds: [Int64(limit)], columns: Self.leafColumns, Self.storedLeaf)
    }

    /// The stored leaf hashes and seals at places `from..<to`, in order.
    public func leafHashes(from: Int, to: Int, on work: UnitOfWork) async throws -> [(
        index: Int64, hash: TreeHash, seal: String?
    )] {
        let rows = try await work.rawRows(
            "SELECT leaf_index, leaf_hash, seal FROM audit_log WHERE leaf_index >= ? AND leaf_index < ? "
                + "ORDER BY leaf_index", binds: [Int64(from), Int64(to)], columns: ["leaf_index", "leaf_hash", "seal"]
        ) { values in (values[0].integer, TreeHash(hex: values[1].text ?? ""), values[2].text) }
        return try rows.map { index, hash, seal in
            guard let index else { throw CorruptRow(column: "leaf_index") }
            guard let hash else { throw CorruptRow(column: "leaf_hash") }
            return (index, hash, seal)
        }
    }

    /// Writes the leaf hashes and seals of the entries that were in the log before it became a tree (see
    /// `SchemaV11`), once, at the first start with the master key.
    static func sealUpgraded(with seal: AuditSeal, on db: any SQLDatabase) async throws {
        guard let tree = try await db.select().column("unsealed").from("audit_tree").first(),
            case let unsealed = try tree.int("unsealed"), unsealed > 0
        else { return }
        let rows = try await db.select().column("*").from("audit_log").where("leaf_index", .lessThan, unsealed)
            .where("seal", .is, SQLLiteral.null).all()
        for row in rows {
            let stored = try storedLeaf(row)
            guard let index = stored.leafIndex else { continue }
            let hash = stored.leaf.hash
            try await db.update("audit_log").set("leaf_hash", to: hash.hex)
                .set("seal", to: seal.seal(index: index, leaf: hash)).where("id", .equal, stored.leaf.id).run()
        }
        try await db.update("audit_tree").set("unsealed", to: 0).where("id", .equal, 1).run()
    }

    static func entry(_ row: any SQLRow) throws -> AuditEntry {
        AuditEntry(
            id: try row.uuid("id"), at: try row.date("at"), providerID: try row.optionalUUID("provider_id"),
            actorID: try row.optionalUUID("actor_id"), actor: try row.text("actor"), action: try row.text("action"),
            targetType: try row.text("target_type"), targetID: try row.optionalUUID("target_id"),
            before: try row.optionalText("before"), after: try row.optionalText("after"),
            reason: try row.optionalText("reason"), source: try row.optionalText("source"))
    }

    /// The columns a leaf is read from, in the order `storedLeaf` takes their values.
    private static let leafColumns = [
        "leaf_index", "id", "at", "provider_id", "actor_id", "actor", "action", "target_type", "target_id", "before",
        "after", "reason", "source", "leaf_hash", "seal",
    ]

    static func storedLeaf(_ row: any SQLRow) throws -> StoredAuditLeaf {
        storedLeaf(try leafColumns.map { try row.decode(column: $0, as: RawValue.self) })
    }

    /// A row as it stands (the values of `leafColumns`), read without interpreting any value, so an altered one is
    /// still read, and caught: a value missing or of another type becomes one that cannot hash to the leaf hash.
    @Sendable private static func storedLeaf(_ v: [RawValue]) -> StoredAuditLeaf {
        StoredAuditLeaf(
            leafIndex: v[0].integer,
            leaf: AuditLeaf(
                id: v[1].text ?? "", atMillis: v[2].integer ?? -1, providerID: v[3].text, actorID: v[4].text,
                actor: v[5].text ?? "", action: v[6].text ?? "", targetType: v[7].text ?? "", targetID: v[8].text,
                before: v[9].text, after: v[10].text, reason: v[11].text, source: v[12].text),
            leafHash: v[13].text, seal: v[14].text)
    }
}

extension AuditLeaf {
    /// The entry in the form it is stored in.
    init(_ entry: AuditEntry) {
        self.init(
            id: entry.id.key, atMillis: entry.at.millis, providerID: entry.providerID?.key, actorID: entry.actorID?.key,
            actor: entry.actor, action: entry.action, targetType: entry.targetType, targetID: entry.targetID?.key,
            before: entry.before, after: entry.after, reason: entry.reason, source: entry.source)
    }
}
