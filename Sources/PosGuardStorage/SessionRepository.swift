import Foundation
import PosGuardDomain
import SQLKit

/// Sign-in sessions. Only the SHA-256 of a token is ever stored, so a leaked table signs nobody in.
public struct SessionRepository: Sendable {
    public struct Session: Sendable, Equatable {
        public var tokenHash: String
        public var userID: UUID
        public var createdAt: Date
        public var expiresAt: Date
        /// When the user last proved a TOTP code in this session.
        public var mfaAt: Date?
        public var revokedAt: Date?

        public init(tokenHash: String, userID: UUID, createdAt: Date, expiresAt: Date, mfaAt: Date?, revokedAt: Date?) {
            self.tokenHash = tokenHash
            self.userID = userID
            self.createdAt = createdAt
            self.expiresAt = expiresAt
            self.mfaAt = mfaAt
            self.revokedAt = revokedAt
        }
    }

    public init() {}

    public func insert(_ s: Session, source: String?, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "sessions")
            .columns("token_hash", "user_id", "created_at", "expires_at", "mfa_at", "revoked_at", "source")
            .values(
                SQLBind(s.tokenHash), SQLBind(s.userID.key), SQLBind(s.createdAt.millis), SQLBind(s.expiresAt.millis),
                SQLBind(s.mfaAt?.millis), SQLBind(s.revokedAt?.millis), SQLBind(source)
            ).run()
    }

    public func find(tokenHash: String, on work: UnitOfWork) async throws -> Session? {
        try await work.sql.select().column("*").from("sessions").where("token_hash", .equal, tokenHash).first().map {
            row in
            Session(
                tokenHash: try row.text("token_hash"), userID: try row.uuid("user_id"),
                createdAt: try row.date("created_at"),
                expiresAt: try row.date("expires_at"), mfaAt: try row.optionalDate("mfa_at"),
                revokedAt: try row.optionalDate("revoked_at"))
        }
    }

    public func revoke(tokenHash: String, at now: Date, on work: UnitOfWork) async throws {
        try await work.sql.update("sessions").set("revoked_at", to: now.millis).where("token_hash", .equal, tokenHash)
            .run()
    }

    /// Ends every live session of a user (password change, account disabled), or every one but `keeping`
    /// (the session that changed the user's second factor).
    public func revokeAll(user: UUID, keeping: String? = nil, at now: Date, on work: UnitOfWork) async throws {
        var update = work.sql.update("sessions").set("revoked_at", to: now.millis).where("user_id", .equal, user.key)
            .where(SQLColumn("revoked_at"), .is, SQLLiteral.null)
        if let keeping { update = update.where("token_hash", .notEqual, keeping) }
        try await update.run()
    }

    public func markMFA(tokenHash: String, at now: Date, on work: UnitOfWork) async throws {
        try await work.sql.update("sessions").set("mfa_at", to: now.millis).where("token_hash", .equal, tokenHash).run()
    }
}
