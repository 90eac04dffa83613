import Foundation
import PosGuardDomain
import SQLKit

/// Users and their credentials. Password hashes and TOTP secrets leave this type only as `Credentials`,
/// for the sign-in check; TOTP secrets are sealed under the master key on the way in and opened on the way
/// out, so callers see them in plain text and the database never does.
public struct UserRepository: Sendable {
    /// What a sign-in is checked against.
    public struct Credentials: Sendable {
        public var user: User
        public var passwordHash: String
        public var totpSecret: String?
        public var totpPendingSecret: String?
    }

    let secrets: SecretBox

    public init(secrets: SecretBox) { self.secrets = secrets }

    /// Adds a user with a bcrypt password hash.
    public func insert(_ u: User, passwordHash: String, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "users")
            .columns(
                "id", "provider_id", "merchant_id", "store_id", "email", "name", "role", "locale", "password_hash",
                "disabled", "created_at"
            )
            .values(
                SQLBind(u.id.key), SQLBind(u.providerID.key), SQLBind(u.merchantID?.key), SQLBind(u.storeID?.key),
                SQLBind(u.email), SQLBind(u.name), SQLBind(u.role.rawValue), SQLBind(u.locale.rawValue),
                SQLBind(passwordHash), SQLBind(u.disabled ? 1 : 0), SQLBind(u.createdAt.millis)
            ).run()
    }

    /// Saves a user's profile, role and placement.
    public func update(_ u: User, on work: UnitOfWork) async throws {
        try await work.sql.update("users").set("merchant_id", to: u.merchantID?.key).set("store_id", to: u.storeID?.key)
            .set("name", to: u.name).set("role", to: u.role.rawValue).set("locale", to: u.locale.rawValue)
            .set("disabled", to: u.disabled ? 1 : 0).where("id", .equal, u.id.key).run()
    }

    public func setPassword(_ user: UUID, hash: String, on work: UnitOfWork) async throws {
        try await work.sql.update("users").set("password_hash", to: hash).where("id", .equal, user.key).run()
    }

    /// Stores a TOTP secret awaiting its first code.
    public func setPendingTOTP(_ user: UUID, secret: String, on work: UnitOfWork) async throws {
        try await work.sql.update("users").set(
            "totp_pending_secret", to: try secrets.seal(secret, for: .pendingTOTP(user: user))
        )
        .where("id", .equal, user.key).run()
    }

    /// Makes the pending secret the active one; `step`, the time step of the code that confirmed it, is spent.
    public func enableTOTP(_ user: UUID, secret: String, step: Int64, on work: UnitOfWork) async throws {
        try await work.sql.update("users").set("totp_secret", to: try secrets.seal(secret, for: .totp(user: user)))
            .set("totp_pending_secret", to: String?.none).set("totp_last_step", to: step)
            .where("id", .equal, user.key).run()
    }

    /// Turns the second factor off.
    public func disableTOTP(_ user: UUID, on work: UnitOfWork) async throws {
        try await work.sql.update("users").set("totp_secret", to: String?.none).set(
            "totp_pending_secret", to: String?.none
        )
        .set("totp_last_step", to: Int64?.none).where("id", .equal, user.key).run()
    }

    /// Spends a TOTP time step: true when no code of this step or a later one was accepted before, so each
    /// code works once. Atomic, so two requests racing with one code cannot both win.
    public func spendTOTPStep(_ user: UUID, step: Int64, on work: UnitOfWork) async throws -> Bool {
        let rows = try await work.sql.update("users").set("totp_last_step", to: step).where("id", .equal, user.key)
            .where { group in
                group.where(SQLColumn("totp_last_step"), .is, SQLLiteral.null)
                    .orWhere("totp_last_step", .lessThan, step)
            }
            .returning("id").all()
        return !rows.isEmpty
    }

    /// The user with this id, if inside the scope.
    public func find(_ id: UUID, in scope: Scope, on work: UnitOfWork) async throws -> User? {
        try await work.sql.select().column("*").from("users").where("id", .equal, id.key).scoped(scope, .users)
            .first().map(Self.user)
    }

    /// A user by id regardless of scope: only for resolving an authenticated session to its own user.
    public func credentials(id: UUID, on work: UnitOfWork) async throws -> Credentials? {
        try await work.sql.select().column("*").from("users").where("id", .equal, id.key).first().map {
            try credentials($0)
        }
    }

    /// The user signing in with this email, if any.
    public func credentials(email: String, on work: UnitOfWork) async throws -> Credentials? {
        try await work.sql.select().column("*").from("users").where("email", .equal, email).first().map {
            try credentials($0)
        }
    }

    /// Whether any user, in any tenant, already has this email (emails sign in, so they are unique).
    public func emailExists(_ email: String, on work: UnitOfWork) async throws -> Bool {
        try await work.sql.select().column("id").from("users").where("email", .equal, email).first() != nil
    }

    /// The enabled users of a role attached to a store (whom to tell about the store's alerts).
    public func users(role: Role, store: UUID, on work: UnitOfWork) async throws -> [User] {
        try await work.sql.select().column("*").from("users").where("store_id", .equal, store.key).where(
            "role", .equal, role.rawValue
        )
        .where("disabled", .equal, 0).orderBy("id").all().map(Self.user)
    }

    /// The user with this email, if any (for choosing the language of mail to an address).
    public func user(email: String, on work: UnitOfWork) async throws -> User? {
        try await work.sql.select().column("*").from("users").where("email", .equal, email).first().map(Self.user)
    }

    /// A page of the users inside the scope, in creation order.
    public func list(in scope: Scope, after cursor: Cursor?, limit: Int, on work: UnitOfWork) async throws
        -> Page<User>
    {
        let rows = try await work.sql.select().column("*").from("users").scoped(scope, .users).page(
            after: cursor, limit: limit
        )
        .all()
        return Page(fetched: try rows.map(Self.user), limit: limit, id: \.id)
    }

    func credentials(_ row: any SQLRow) throws -> Credentials {
        let user = try Self.user(row)
        return Credentials(
            user: user, passwordHash: try row.text("password_hash"),
            totpSecret: try row.optionalText("totp_secret").map { try secrets.open($0, for: .totp(user: user.id)) },
            totpPendingSecret: try row.optionalText("totp_pending_secret").map {
                try secrets.open($0, for: .pendingTOTP(user: user.id))
            })
    }

    static func user(_ row: any SQLRow) throws -> User {
        User(
            id: try row.uuid("id"), providerID: try row.uuid("provider_id"),
            merchantID: try row.optionalUUID("merchant_id"),
            storeID: try row.optionalUUID("store_id"), email: try row.text("email"), name: try row.text("name"),
            role: try row.enumeration("role", as: Role.self),
            locale: try row.enumeration("locale", as: User.Locale.self),
            disabled: try row.int("disabled") != 0, totpEnabled: try row.optionalText("totp_secret") != nil,
            createdAt: try row.date("created_at"))
    }
}
