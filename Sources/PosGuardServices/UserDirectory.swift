import Foundation
import PosGuardDomain
import PosGuardStorage

/// Users: each admin creates and edits users of the roles below them, inside their own scope.
public struct UserDirectory: Sendable {
    public struct Draft: Sendable, Decodable {
        public var email: String
        public var name: String
        public var role: Role
        public var password: String
        public var locale: User.Locale?
        public var merchantID: UUID?
        public var storeID: UUID?

        public init(
            email: String, name: String, role: Role, password: String, locale: User.Locale? = nil,
            merchantID: UUID? = nil, storeID: UUID? = nil
        ) {
            self.email = email
            self.name = name
            self.role = role
            self.password = password
            self.locale = locale
            self.merchantID = merchantID
            self.storeID = storeID
        }
    }

    public struct Patch: Sendable, Decodable {
        public var name: String?
        public var role: Role?
        public var locale: User.Locale?
        public var disabled: Bool?
        /// A new password set by an admin; signs the user out everywhere.
        public var password: String?

        public init(
            name: String? = nil, role: Role? = nil, locale: User.Locale? = nil, disabled: Bool? = nil,
            password: String? = nil
        ) {
            self.name = name
            self.role = role
            self.locale = locale
            self.disabled = disabled
            self.password = password
        }
    }

    let runtime: Runtime
    let hasher: PasswordHasher
    var users: UserRepository { UserRepository(secrets: runtime.secrets) }
    let sessions = SessionRepository()
    let merchants = MerchantRepository()
    let stores = StoreRepository()
    var audit: AuditLog { AuditLog(runtime: runtime) }

    public init(runtime: Runtime, hasher: PasswordHasher) {
        self.runtime = runtime
        self.hasher = hasher
    }

    public func create(_ draft: Draft, by caller: Caller) async throws -> User {
        let prepared = try await prepare(draft, by: caller)
        return try await runtime.database.transaction { try await insert(prepared, by: caller, on: $0) }
    }

    /// A new user checked and their password hashed, ready to be added.
    struct Prepared {
        var user: User
        var hash: String
        var draft: Draft
    }

    /// Checks a draft and hashes its password — before any transaction: bcrypt is slow, and must not hold the
    /// database while it works.
    func prepare(_ draft: Draft, by caller: Caller) async throws -> Prepared {
        try caller.authorize(.createUser(draft.role), at: runtime.now())
        // A field the role does not use is refused rather than ignored: the client meant something by it.
        var v = Validator()
        let unused: [(String, UUID?)] =
            switch draft.role.level {
            case .provider: [("merchant_id", draft.merchantID), ("store_id", draft.storeID)]
            case .merchant: [("store_id", draft.storeID)]
            case .store: [("merchant_id", draft.merchantID)]
            }
        for (field, value) in unused where value != nil {
            v.add(FieldError(field, "is not for a \(draft.role.rawValue)"))
        }
        try v.finish()
        let email = EmailAddress.normalise(draft.email)
        let user = User(
            id: runtime.ids.next(), providerID: caller.scope.providerID, merchantID: nil, storeID: nil, email: email,
            name: draft.name.trimmingCharacters(in: .whitespacesAndNewlines), role: draft.role,
            locale: draft.locale ?? .en,
            disabled: false, totpEnabled: false, createdAt: runtime.now())
        try hasher.check(draft.password, email: email)
        return Prepared(user: user, hash: try await hasher.hash(draft.password), draft: draft)
    }

    /// Places a prepared user in the tree and adds them, in the caller's transaction.
    func insert(_ prepared: Prepared, by caller: Caller, on db: UnitOfWork) async throws -> User {
        var user = prepared.user
        let draft = prepared.draft
        switch draft.role.level {
        case .provider:
            break
        case .merchant:
            guard let id = draft.merchantID, try await merchants.find(id, in: caller.scope, on: db) != nil else {
                throw ValidationFailure([FieldError("merchant_id", "must name a merchant you manage")])
            }
            user.merchantID = id
        case .store:
            guard let id = draft.storeID, let store = try await stores.find(id, in: caller.scope, on: db) else {
                throw ValidationFailure([FieldError("store_id", "must name a store you manage")])
            }
            user.merchantID = store.merchantID
            user.storeID = store.id
        }
        try user.validatePlacement()
        if try await users.emailExists(user.email, on: db) {
            throw ServiceError.conflict(field: "email", message: "a user with this email already exists")
        }
        try await users.insert(user, passwordHash: prepared.hash, on: db)
        try await audit.record(
            caller, "user.create", target: "user", id: user.id, after: user, at: user.createdAt, on: db)
        return user
    }

    public func update(_ id: UUID, _ patch: Patch, by caller: Caller) async throws -> User {
        let now = runtime.now()
        // A new password is checked and hashed before the transaction: bcrypt is slow, and must not hold
        // the database while it works.
        let hash = try await patch.password.asyncMap { password in
            let target = try await find(id, by: caller)
            try hasher.check(password, email: target.email)
            return try await hasher.hash(password)
        }
        return try await runtime.database.transaction { db in
            guard let before = try await users.find(id, in: caller.scope, on: db) else {
                throw ServiceError.notFound("user")
            }
            let isSelf = before.id == caller.userID
            let administers = caller.may(.editUser(before.role))
            let adminOnly = patch.role != nil || patch.disabled != nil || patch.password != nil
            guard administers || (isSelf && !adminOnly) else {
                throw ServiceError.forbidden(
                    isSelf ? "you may change only your own name and language" : "you may not edit this user")
            }
            var after = before
            if let name = patch.name { after.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
            if let locale = patch.locale { after.locale = locale }
            if let role = patch.role {
                guard caller.may(.editUser(role)), role.level == before.role.level else {
                    throw ValidationFailure([
                        FieldError("role", "must be a role you may grant, at the same level of the tree")
                    ])
                }
                after.role = role
            }
            if let disabled = patch.disabled {
                if isSelf && disabled {
                    throw ValidationFailure([FieldError("disabled", "you may not disable yourself")])
                }
                after.disabled = disabled
            }
            try after.validatePlacement()
            if let hash {
                try await users.setPassword(id, hash: hash, on: db)
                try await sessions.revokeAll(user: id, at: now, on: db)
                try await audit.record(caller, "user.password_reset", target: "user", id: id, at: now, on: db)
            }
            guard after != before else { return before }
            try await users.update(after, on: db)
            if after.disabled && !before.disabled { try await sessions.revokeAll(user: id, at: now, on: db) }
            try await audit.record(
                caller, "user.update", target: "user", id: id, before: before, after: after, at: now, on: db)
            return after
        }
    }

    public func find(_ id: UUID, by caller: Caller) async throws -> User {
        let found = try await runtime.database.withConnection { try await users.find(id, in: caller.scope, on: $0) }
        guard let found else { throw ServiceError.notFound("user") }
        return found
    }

    /// The caller's own account, whatever their scope.
    public func me(_ caller: Caller) async throws -> User {
        guard let id = caller.userID,
            let found = try await runtime.database.withConnection({ try await users.credentials(id: id, on: $0) })
        else { throw ServiceError.notFound("user") }
        return found.user
    }

    public func list(after cursor: Cursor?, limit: Int, by caller: Caller) async throws -> Page<User> {
        try caller.authorize(.listUsers, at: runtime.now())
        return try await runtime.database.withConnection {
            try await users.list(in: caller.scope, after: cursor, limit: limit, on: $0)
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
