import Foundation
import PosGuardDomain
import SQLKit

/// The queue of commands for terminals.
public struct CommandRepository: Sendable {
    public init() {}

    public func insert(_ c: TerminalCommand, on work: UnitOfWork) async throws {
        let payload = String(decoding: try JSONEncoder().encode(c.payload), as: UTF8.self)
        try await work.sql.insert(into: "commands")
            .columns(
                "id", "terminal_id", "type", "payload", "status", "created_at", "created_by", "reason", "expires_at",
                "deliveries"
            )
            .values(
                SQLBind(c.id.key), SQLBind(c.terminalID.key), SQLBind(c.type.rawValue), SQLBind(payload),
                SQLBind(c.status.rawValue), SQLBind(c.createdAt.millis), SQLBind(c.createdBy), SQLBind(c.reason),
                SQLBind(c.expiresAt.millis), SQLBind(Int64(c.deliveries))
            ).run()
    }

    /// Saves a command's delivery and acknowledgement.
    public func update(_ c: TerminalCommand, on work: UnitOfWork) async throws {
        try await work.sql.update("commands").set("status", to: c.status.rawValue).set(
            "delivered_at", to: c.deliveredAt?.millis
        )
        .set("deliveries", to: Int64(c.deliveries)).set("acknowledged_at", to: c.acknowledgedAt?.millis)
        .set("detail", to: c.detail).where("id", .equal, c.id.key).run()
    }

    /// One command of a terminal.
    public func command(_ id: UUID, of terminal: UUID, on work: UnitOfWork) async throws -> TerminalCommand? {
        try await work.sql.select().column("*").from("commands").where("id", .equal, id.key).where(
            "terminal_id", .equal, terminal.key
        )
        .first().map(Self.decoded)
    }

    /// A terminal's commands still waiting to be done (queued or delivered), oldest first.
    public func waiting(of terminal: UUID, on work: UnitOfWork) async throws -> [TerminalCommand] {
        try await waiting(of: [terminal], on: work)[terminal] ?? []
    }

    /// The waiting commands of several terminals at once, by terminal, oldest first.
    public func waiting(of terminals: [UUID], on work: UnitOfWork) async throws -> [UUID: [TerminalCommand]] {
        var waiting: [UUID: [TerminalCommand]] = [:]
        for start in stride(from: 0, to: terminals.count, by: TerminalRepository.batchSize) {
            let some = terminals[start..<min(start + TerminalRepository.batchSize, terminals.count)]
            let commands = try await work.sql.select().column("*").from("commands")
                .where(SQLColumn("terminal_id"), .in, SQLBind.group(some.map(\.key)))
                .where(
                    SQLColumn("status"), .in,
                    SQLBind.group([TerminalCommand.Status.queued.rawValue, TerminalCommand.Status.delivered.rawValue])
                )
                .orderBy("id").all().map(Self.decoded)
            for command in commands { waiting[command.terminalID, default: []].append(command) }
        }
        return waiting
    }

    /// A terminal's commands, oldest first, optionally only those in one status.
    public func commands(
        of terminal: UUID, status: TerminalCommand.Status? = nil, in scope: Scope, on work: UnitOfWork
    ) async throws -> [TerminalCommand] {
        var query = work.sql.select().column("*").from("commands").where("terminal_id", .equal, terminal.key)
            .scoped(scope, through: "terminal_id", of: "terminals", .terminals)
        if let status { query = query.where("status", .equal, status.rawValue) }
        return try await query.orderBy("id").all().map(Self.decoded)
    }

    static func decoded(_ row: any SQLRow) throws -> TerminalCommand {
        var c = TerminalCommand(
            id: try row.uuid("id"), terminalID: try row.uuid("terminal_id"),
            type: try row.enumeration("type", as: TerminalCommand.Kind.self),
            payload: try JSONDecoder().decode([String: String].self, from: Data(try row.text("payload").utf8)),
            status: try row.enumeration("status", as: TerminalCommand.Status.self),
            createdAt: try row.date("created_at"),
            createdBy: try row.text("created_by"), reason: try row.text("reason"))
        c.expiresAt = try row.optionalDate("expires_at") ?? c.expiresAt
        c.deliveredAt = try row.optionalDate("delivered_at")
        c.deliveries = Int(try row.int("deliveries"))
        c.acknowledgedAt = try row.optionalDate("acknowledged_at")
        c.detail = try row.optionalText("detail")
        return c
    }
}
