import Foundation
import PosGuardDomain
import SQLKit

/// The audit log. Entries are only ever appended: this type, the one code path to the table, has no way
/// to change or remove one.
public struct AuditRepository: Sendable {
    public init() {}

    /// Appends entries, in the caller's transaction so they commit with the change they describe.
    public func append(_ entries: [AuditEntry], on work: UnitOfWork) async throws {
        for start in stride(from: 0, to: entries.count, by: TerminalRepository.batchSize) {
            var insert = work.sql.insert(into: "audit_log").columns(
                "id", "at", "provider_id", "actor_id", "actor", "action", "target_type", "target_id", "before", "after",
                "reason", "source")
            for e in entries[start..<min(start + TerminalRepository.batchSize, entries.count)] {
                insert = insert.values(
                    SQLBind(e.id.key), SQLBind(e.at.millis), SQLBind(e.providerID?.key), SQLBind(e.actorID?.key),
                    SQLBind(e.actor), SQLBind(e.action), SQLBind(e.targetType), SQLBind(e.targetID?.key),
                    SQLBind(e.before), SQLBind(e.after), SQLBind(e.reason), SQLBind(e.source))
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

    static func entry(_ row: any SQLRow) throws -> AuditEntry {
        AuditEntry(
            id: try row.uuid("id"), at: try row.date("at"), providerID: try row.optionalUUID("provider_id"),
            actorID: try row.optionalUUID("actor_id"), actor: try row.text("actor"), action: try row.text("action"),
            targetType: try row.text("target_type"), targetID: try row.optionalUUID("target_id"),
            before: try row.optionalText("before"), after: try row.optionalText("after"),
            reason: try row.optionalText("reason"), source: try row.optionalText("source"))
    }
}
