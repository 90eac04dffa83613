import Foundation
import PosGuardDomain
import SQLKit

/// The queue of commands for terminals.
public struct CommandRepository: Sendable {
    public init() {}

    public func insert(_ c: TerminalCommand, on db: any SQLDatabase) async throws {
        let payload = String(decoding: try JSONEncoder().encode(c.payload), as: UTF8.self)
        try await db.insert(into: "commands")
            .columns("id", "terminal_id", "type", "payload", "status", "created_at", "created_by", "reason")
            .values(
                SQLBind(c.id.key), SQLBind(c.terminalID.key), SQLBind(c.type.rawValue), SQLBind(payload),
                SQLBind(c.status.rawValue), SQLBind(c.createdAt.millis), SQLBind(c.createdBy), SQLBind(c.reason)
            ).run()
    }

    /// A terminal's commands, oldest first, optionally only those in one status.
    public func commands(of terminal: UUID, status: TerminalCommand.Status? = nil, on db: any SQLDatabase) async throws
        -> [TerminalCommand]
    {
        var query = db.select().column("*").from("commands").where("terminal_id", .equal, terminal.key)
        if let status { query = query.where("status", .equal, status.rawValue) }
        return try await query.orderBy("id").all().map { row in
            TerminalCommand(
                id: try row.uuid("id"), terminalID: try row.uuid("terminal_id"),
                type: try row.enumeration("type", as: TerminalCommand.Kind.self),
                payload: try JSONDecoder().decode([String: String].self, from: Data(try row.text("payload").utf8)),
                status: try row.enumeration("status", as: TerminalCommand.Status.self),
                createdAt: try row.date("created_at"),
                createdBy: try row.text("created_by"), reason: try row.text("reason"))
        }
    }
}
