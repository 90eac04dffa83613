import Foundation
import PosGuardDomain
import SQLKit

/// Enrollment codes and the public keys of enrolled terminals. Codes are stored only as hashes; unlock secrets
/// are sealed under the master key (`SecretBox`).
public struct AgentRepository: Sendable {
    public struct Code: Sendable, Equatable {
        public var terminalID: UUID
        public var expiresAt: Date
        public var usedAt: Date?
    }

    /// What a signed request is checked against: the terminal's key and where it stands.
    public struct Identity: Sendable, Equatable {
        public var terminal: Terminal
        /// Base64 of the X9.63 uncompressed P-256 public key.
        public var publicKey: String
    }

    let secrets: SecretBox

    public init(secrets: SecretBox) { self.secrets = secrets }

    public func insertCode(
        hash: String, terminal: UUID, createdAt: Date, expiresAt: Date, createdBy: String, on work: UnitOfWork
    ) async throws {
        try await work.sql.insert(into: "enrollment_codes")
            .columns("code_hash", "terminal_id", "created_at", "expires_at", "created_by")
            .values(
                SQLBind(hash), SQLBind(terminal.key), SQLBind(createdAt.millis), SQLBind(expiresAt.millis),
                SQLBind(createdBy)
            ).run()
    }

    public func code(hash: String, on work: UnitOfWork) async throws -> Code? {
        try await work.sql.select().column("*").from("enrollment_codes").where("code_hash", .equal, hash).first().map {
            Code(
                terminalID: try $0.uuid("terminal_id"), expiresAt: try $0.date("expires_at"),
                usedAt: try $0.optionalDate("used_at"))
        }
    }

    /// Stops every unused code of a terminal from working.
    public func revokeCodes(of terminal: UUID, at now: Date, on work: UnitOfWork) async throws {
        try await work.sql.update("enrollment_codes").set("used_at", to: now.millis).where(
            "terminal_id", .equal, terminal.key
        )
        .where(SQLColumn("used_at"), .is, SQLLiteral.null).run()
    }

    /// Marks a code used; false when it already was (two enrollments racing for one code).
    public func useCode(hash: String, at now: Date, on work: UnitOfWork) async throws -> Bool {
        let rows = try await work.sql.update("enrollment_codes").set("used_at", to: now.millis).where(
            "code_hash", .equal, hash
        )
        .where(SQLColumn("used_at"), .is, SQLLiteral.null).returning("code_hash").all()
        return !rows.isEmpty
    }

    /// Sets (or replaces, on re-enrollment) a terminal's public key and unlock secret.
    public func setKey(terminal: UUID, publicKey: String, unlockSecret: String, at now: Date, on work: UnitOfWork)
        async throws
    {
        try await work.sql.insert(into: "agent_keys").columns(
            "terminal_id", "public_key", "unlock_secret", "enrolled_at"
        )
        .values(
            SQLBind(terminal.key), SQLBind(publicKey),
            SQLBind(try secrets.seal(unlockSecret, for: .unlock(terminal: terminal))), SQLBind(now.millis)
        )
        .onConflict(with: ["terminal_id"]) {
            $0.set(excludedValueOf: "public_key").set(excludedValueOf: "unlock_secret").set(
                excludedValueOf: "enrolled_at")
        }
        .run()
        work.changed(.terminal(terminal))
    }

    /// The unlock secret of an enrolled terminal.
    public func unlockSecret(terminal: UUID, on work: UnitOfWork) async throws -> String? {
        try await work.sql.select().column("unlock_secret").from("agent_keys").where(
            "terminal_id", .equal, terminal.key
        )
        .first()?
        .optionalText("unlock_secret").map { try secrets.open($0, for: .unlock(terminal: terminal)) }
    }

    /// The enrolled terminal with this id, with its key.
    public func identity(terminal: UUID, on work: UnitOfWork) async throws -> Identity? {
        try await identities(terminals: [terminal], on: work)[terminal]
    }

    /// The enrolled terminals among these, with their keys, by id.
    public func identities(terminals: [UUID], on work: UnitOfWork) async throws -> [UUID: Identity] {
        var found: [UUID: Identity] = [:]
        for start in stride(from: 0, to: terminals.count, by: TerminalRepository.batchSize) {
            let some = terminals[start..<min(start + TerminalRepository.batchSize, terminals.count)]
            for row in try await work.sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("t")))
                .column(SQLColumn("public_key", table: "k"))
                .from(SQLAlias(SQLIdentifier("terminals"), as: SQLIdentifier("t")))
                .join(
                    SQLAlias(SQLIdentifier("agent_keys"), as: SQLIdentifier("k")), method: SQLJoinMethod.inner,
                    on: SQLColumn("terminal_id", table: "k"), .equal, SQLColumn("id", table: "t")
                )
                .where(SQLColumn("id", table: "t"), .in, SQLBind.group(some.map(\.key))).all()
            {
                let identity = Identity(
                    terminal: try TerminalRepository.terminal(row), publicKey: try row.text("public_key"))
                found[identity.terminal.id] = identity
            }
        }
        return found
    }
}
