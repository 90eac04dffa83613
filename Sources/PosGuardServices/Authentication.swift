import Crypto
import Foundation
import HummingbirdBcrypt
import PosGuardDomain
import PosGuardStorage

/// Signing in and out, sessions, and TOTP second factors.
public struct Authentication: Sendable {
    public struct SignedIn: Sendable {
        /// The bearer token: shown to the client once, stored only as its SHA-256.
        public var token: String
        public var user: User
        public var expiresAt: Date
    }

    public struct TOTPEnrolment: Sendable {
        /// The secret in base32, for typing into an authenticator by hand.
        public var secret: String
        /// The `otpauth://` URI to show as a QR code.
        public var uri: String
    }

    /// How long a session lasts.
    public static let sessionLifetime: TimeInterval = 12 * 3600

    let runtime: Runtime
    let hasher: PasswordHasher
    let attempts: LoginAttempts
    /// A bcrypt hash of no real password, checked when the email is unknown.
    let decoyHash: String
    var users: UserRepository { UserRepository(secrets: runtime.secrets) }
    let sessions = SessionRepository()
    var audit: AuditTrail { AuditTrail(runtime: runtime) }

    public init(runtime: Runtime, hasher: PasswordHasher, attempts: LoginAttempts = LoginAttempts()) {
        self.runtime = runtime
        self.hasher = hasher
        self.attempts = attempts
        decoyHash = Bcrypt.hash(TOTPCode.newSecret(), cost: hasher.cost)
    }

    /// Checks email, password and (where enrolled) TOTP code, and opens a session.
    public func signIn(email: String, password: String, totp: String?, source: String?) async throws -> SignedIn {
        let email = EmailAddress.normalise(email)
        let now = runtime.now()
        let wait = await attempts.wait(account: email, address: source, at: now)
        if wait > 0 { throw ServiceError.throttled(retryAfter: Int(wait.rounded(.up))) }

        let credentials = try await runtime.database.withConnection {
            try await users.credentials(email: email, on: $0)
        }
        // An unknown email costs the same bcrypt work as a known one, so timing does not reveal accounts.
        let hash = credentials?.passwordHash ?? decoyHash
        let passwordMatches = try await hasher.verify(password, hash: hash)
        guard let credentials, passwordMatches, !credentials.user.disabled else {
            try await fail(
                email: email, user: credentials?.user, source: source, at: now, why: "wrong email or password")
            throw ServiceError.unauthenticated("the email or password is not right")
        }
        var mfaAt: Date? = nil
        if let secret = credentials.totpSecret {
            guard let totp, !totp.isEmpty else { throw ServiceError.totpRequired }
            guard TOTPCode.verify(totp, secret: secret, at: now) else {
                try await fail(email: email, user: credentials.user, source: source, at: now, why: "wrong TOTP code")
                throw ServiceError.unauthenticated("the TOTP code is not right")
            }
            mfaAt = now
        }
        await attempts.recordSuccess(account: email)

        let token = Self.newToken()
        let session = SessionRepository.Session(
            tokenHash: Self.hash(token: token), userID: credentials.user.id, createdAt: now,
            expiresAt: now.addingTimeInterval(Self.sessionLifetime), mfaAt: mfaAt, revokedAt: nil)
        let caller = Caller(user: credentials.user, sessionTokenHash: session.tokenHash, mfaAt: mfaAt, source: source)
        try await runtime.database.transaction { db in
            try await sessions.insert(session, source: source, on: db)
            try await audit.record(caller, "session.sign_in", target: "user", id: credentials.user.id, at: now, on: db)
        }
        return SignedIn(token: token, user: credentials.user, expiresAt: session.expiresAt)
    }

    /// The caller a bearer token belongs to, if the session is live and the user still enabled.
    public func caller(token: String, source: String?) async throws -> Caller {
        let now = runtime.now()
        let tokenHash = Self.hash(token: token)
        let found = try await runtime.database.withConnection { db -> (SessionRepository.Session, User)? in
            guard let session = try await sessions.find(tokenHash: tokenHash, on: db),
                let credentials = try await users.credentials(id: session.userID, on: db)
            else { return nil }
            return (session, credentials.user)
        }
        guard let (session, user) = found, session.revokedAt == nil, session.expiresAt > now, !user.disabled else {
            throw ServiceError.unauthenticated("the session is missing, expired or signed out: sign in again")
        }
        return Caller(user: user, sessionTokenHash: tokenHash, mfaAt: session.mfaAt, source: source)
    }

    /// Ends the caller's session.
    public func signOut(_ caller: Caller) async throws {
        guard let tokenHash = caller.sessionTokenHash, let userID = caller.userID else { return }
        let now = runtime.now()
        try await runtime.database.transaction { db in
            try await sessions.revoke(tokenHash: tokenHash, at: now, on: db)
            try await audit.record(caller, "session.sign_out", target: "user", id: userID, at: now, on: db)
        }
    }

    /// Starts TOTP enrolment: a new secret that becomes active once a code from it is confirmed.
    public func beginTOTP(_ caller: Caller) async throws -> TOTPEnrolment {
        guard let userID = caller.userID else { throw ServiceError.forbidden("only users enrol TOTP") }
        let secret = TOTPCode.newSecret()
        let now = runtime.now()
        try await runtime.database.transaction { db in
            try await users.setPendingTOTP(userID, secret: secret, on: db)
            try await audit.record(caller, "user.totp_enrolment_started", target: "user", id: userID, at: now, on: db)
        }
        let uri = TOTPCode.provisioningURI(secret: secret, account: caller.name)
        let base32 = URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value ?? ""
        return TOTPEnrolment(secret: base32, uri: uri)
    }

    /// Confirms enrolment with a first code; the session counts as freshly verified.
    public func confirmTOTP(_ caller: Caller, code: String) async throws {
        guard let userID = caller.userID else { throw ServiceError.forbidden("only users enrol TOTP") }
        let now = runtime.now()
        try await runtime.database.transaction { db in
            guard let pending = try await users.credentials(id: userID, on: db)?.totpPendingSecret else {
                throw ServiceError.conflict(field: nil, message: "no TOTP enrolment is pending: start one first")
            }
            guard TOTPCode.verify(code, secret: pending, at: now) else {
                throw ValidationFailure([FieldError("totp", "is not the current code of the new secret")])
            }
            try await users.enableTOTP(userID, secret: pending, on: db)
            if let tokenHash = caller.sessionTokenHash {
                try await sessions.markMFA(tokenHash: tokenHash, at: now, on: db)
            }
            try await audit.record(caller, "user.totp_enabled", target: "user", id: userID, at: now, on: db)
        }
    }

    /// Proves a TOTP code in the current session, opening the window for destructive actions.
    public func verifyTOTP(_ caller: Caller, code: String) async throws {
        guard let userID = caller.userID, let tokenHash = caller.sessionTokenHash else {
            throw ServiceError.forbidden("only signed-in users verify TOTP")
        }
        let now = runtime.now()
        try await runtime.database.transaction { db in
            guard let secret = try await users.credentials(id: userID, on: db)?.totpSecret else {
                throw ServiceError.conflict(field: nil, message: "TOTP is not enabled for this user: enrol first")
            }
            guard TOTPCode.verify(code, secret: secret, at: now) else {
                throw ValidationFailure([FieldError("totp", "is not the current code")])
            }
            try await sessions.markMFA(tokenHash: tokenHash, at: now, on: db)
            try await audit.record(caller, "session.totp_verified", target: "user", id: userID, at: now, on: db)
        }
    }

    private func fail(email: String, user: User?, source: String?, at now: Date, why: String) async throws {
        await attempts.recordFailure(account: email, address: source, at: now)
        guard let user else { return }
        let caller = Caller(user: user, sessionTokenHash: nil, mfaAt: nil, source: source)
        try await runtime.database.transaction { db in
            try await audit.record(
                caller, "session.sign_in_failed", target: "user", id: user.id, reason: why, at: now, on: db)
        }
    }

    static func newToken() -> String {
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func hash(token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
