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
    /// Whether this instance sends email (security notices go to the user's address).
    let email: Bool
    var users: UserRepository { UserRepository(secrets: runtime.secrets) }
    let sessions = SessionRepository()
    var outbox: NotificationRepository { NotificationRepository(secrets: runtime.secrets) }
    var audit: AuditLog { AuditLog(runtime: runtime) }

    public init(
        runtime: Runtime, hasher: PasswordHasher, email: Bool = false
    ) {
        self.runtime = runtime
        self.hasher = hasher
        self.email = email
        attempts = LoginAttempts(database: runtime.database)
        decoyHash = Bcrypt.hash(TOTPCode.newSecret(), cost: hasher.cost)
    }

    /// Checks email, password and (where enrolled) TOTP code, and opens a session.
    public func signIn(email: String, password: String, totp: String?, source: String?) async throws -> SignedIn {
        let email = EmailAddress.normalise(email)
        let now = runtime.now()
        let credentials = try await runtime.database.withConnection {
            try await users.credentials(email: email, on: $0)
        }
        let proof = try await prove(
            credentials, account: email, password: password, totp: totp, source: source, at: now, inSession: false)
        let user = proof.user
        let token = Self.newToken()
        let session = SessionRepository.Session(
            tokenHash: Self.hash(token: token), userID: user.id, createdAt: now,
            expiresAt: now.addingTimeInterval(Self.sessionLifetime), mfaAt: proof.step == nil ? nil : now,
            revokedAt: nil)
        let caller = Caller(user: user, sessionTokenHash: session.tokenHash, mfaAt: session.mfaAt, source: source)
        try await runtime.database.transaction { db in
            try await spend(proof, inSession: false, on: db)
            try await sessions.insert(session, source: source, on: db)
            try await audit.record(caller, "session.sign_in", target: "user", id: user.id, at: now, on: db)
        }
        try await attempts.succeeded(proof.admission)
        return SignedIn(token: token, user: user, expiresAt: session.expiresAt)
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

    /// Starts TOTP enrolment, or the replacement of the current authenticator: a new secret that becomes
    /// active once a code from it is confirmed. Needs the password, and the current code where TOTP is on —
    /// a session alone must not be enough to take over the second factor.
    public func beginTOTP(_ caller: Caller, password: String, totp: String?) async throws -> TOTPEnrolment {
        let (proof, now) = try await proveInSession(caller, password: password, totp: totp)
        let secret = TOTPCode.newSecret()
        try await runtime.database.transaction { db in
            try await spend(proof, inSession: true, on: db)
            try await users.setPendingTOTP(proof.user.id, secret: secret, on: db)
            try await audit.record(
                caller, "user.totp_enrolment_started", target: "user", id: proof.user.id, at: now, on: db)
        }
        try await attempts.succeeded(proof.admission)
        let uri = TOTPCode.provisioningURI(secret: secret, account: caller.name)
        let base32 = URLComponents(string: uri)?.queryItems?.first { $0.name == "secret" }?.value ?? ""
        return TOTPEnrolment(secret: base32, uri: uri)
    }

    /// Confirms enrolment with a first code of the new secret: the user's other sessions end (they were opened
    /// without this factor) and the user is told by email.
    public func confirmTOTP(_ caller: Caller, code: String) async throws {
        guard let userID = caller.userID else { throw ServiceError.forbidden("only users enrol TOTP") }
        let now = runtime.now()
        try await runtime.database.transaction { db in
            guard let credentials = try await users.credentials(id: userID, on: db),
                let pending = credentials.totpPendingSecret
            else {
                throw ServiceError.conflict(field: nil, message: "no TOTP enrolment is pending: start one first")
            }
            guard let step = TOTPCode.step(of: code, secret: pending, at: now) else {
                throw ValidationFailure([FieldError("totp", "is not the current code of the new secret")])
            }
            let replaced = credentials.totpSecret != nil
            try await users.enableTOTP(userID, secret: pending, step: step, on: db)
            try await sessions.revokeAll(user: userID, keeping: caller.sessionTokenHash, at: now, on: db)
            // Replacing a factor proved the old one, so the session counts as freshly verified. A first factor
            // proves only the password: the step-up comes with the next code, at sign-in or /session/totp.
            if replaced, let tokenHash = caller.sessionTokenHash {
                try await sessions.markMFA(tokenHash: tokenHash, at: now, on: db)
            }
            try await audit.record(
                caller, replaced ? "user.totp_replaced" : "user.totp_enabled", target: "user", id: userID, at: now,
                on: db)
            try await notify(credentials.user, replaced ? .totpReplaced : .totpEnabled, caller: caller, at: now, on: db)
        }
    }

    /// Turns TOTP off for the caller: needs the password and the current code. Other sessions end.
    public func removeTOTP(_ caller: Caller, password: String, totp: String?) async throws {
        let (proof, now) = try await proveInSession(caller, password: password, totp: totp)
        guard proof.step != nil else {
            throw ServiceError.conflict(field: nil, message: "TOTP is not enabled for this user")
        }
        try await runtime.database.transaction { db in
            try await spend(proof, inSession: true, on: db)
            try await users.disableTOTP(proof.user.id, on: db)
            try await sessions.revokeAll(user: proof.user.id, keeping: caller.sessionTokenHash, at: now, on: db)
            try await audit.record(caller, "user.totp_removed", target: "user", id: proof.user.id, at: now, on: db)
            try await notify(proof.user, .totpRemoved, caller: caller, at: now, on: db)
        }
        try await attempts.succeeded(proof.admission)
    }

    /// Changes the caller's own password: needs the current one, and the current code where TOTP is on. The new
    /// one must pass the password policy; every other session of the account ends.
    public func changePassword(_ caller: Caller, current: String, new: String, totp: String?) async throws {
        let (proof, now) = try await proveInSession(caller, password: current, totp: totp)
        try hasher.check(new, email: proof.user.email, field: "new_password")
        let hash = try await hasher.hash(new)
        try await runtime.database.transaction { db in
            try await spend(proof, inSession: true, on: db)
            try await users.setPassword(proof.user.id, hash: hash, on: db)
            try await sessions.revokeAll(user: proof.user.id, keeping: caller.sessionTokenHash, at: now, on: db)
            try await audit.record(caller, "user.password_changed", target: "user", id: proof.user.id, at: now, on: db)
            try await notify(proof.user, .passwordChanged, caller: caller, at: now, on: db)
        }
        try await attempts.succeeded(proof.admission)
    }

    /// Proves a TOTP code in the current session, opening the window for destructive actions. Guesses are
    /// throttled with the account's sign-in attempts, and each code works once.
    public func verifyTOTP(_ caller: Caller, code: String) async throws {
        guard let tokenHash = caller.sessionTokenHash else {
            throw ServiceError.forbidden("only signed-in users verify TOTP")
        }
        let (proof, now) = try await proveInSession(caller, password: nil, totp: code)
        guard proof.step != nil else {
            throw ServiceError.conflict(field: nil, message: "TOTP is not enabled for this user: enrol first")
        }
        try await runtime.database.transaction { db in
            try await spend(proof, inSession: true, on: db)
            try await sessions.markMFA(tokenHash: tokenHash, at: now, on: db)
            try await audit.record(caller, "session.totp_verified", target: "user", id: proof.user.id, at: now, on: db)
        }
        try await attempts.succeeded(proof.admission)
    }

    /// A counted attempt whose secrets were right: the user, and the TOTP step to spend (nil without TOTP).
    struct Proof {
        var user: User
        var step: Int64?
        var admission: LoginAttempts.Admission
    }

    /// Checks a password and (where the user has TOTP) a current code as one attempt, counted before the
    /// check. A wrong secret is audited and stays counted; the caller settles a right one once its own
    /// transaction has committed. In a session a wrong secret is a 422 naming the field; at sign-in every
    /// failure reads the same, so that nothing tells whether the account exists.
    private func prove(
        _ credentials: UserRepository.Credentials?, account: String, password: String?, totp: String?,
        source: String?, at now: Date, inSession: Bool
    ) async throws -> Proof {
        let admission: LoginAttempts.Admission
        switch try await attempts.admit(account: account, address: source, at: now) {
        case .success(let admitted): admission = admitted
        case .failure(let throttled): throw ServiceError.throttled(retryAfter: throttled.seconds)
        }
        if let password {
            // An unknown email costs the same bcrypt work as a known one, so timing does not reveal accounts.
            let matches = try await hasher.verify(password, hash: credentials?.passwordHash ?? decoyHash)
            guard let credentials, matches, !credentials.user.disabled else {
                try await fail(
                    credentials?.user, source: source, at: now, why: "wrong email or password", inSession: inSession)
                throw inSession
                    ? ValidationFailure([FieldError("password", "is not your current password")])
                    : ServiceError.unauthenticated("the email or password is not right")
            }
        }
        guard let credentials else { throw ServiceError.unauthenticated("the email or password is not right") }
        guard let secret = credentials.totpSecret else {
            return Proof(user: credentials.user, step: nil, admission: admission)
        }
        guard let totp, !totp.isEmpty else {
            // A missing code is a request for it, not a guess: the attempt is taken back, but it proves nothing.
            try await attempts.withdraw(admission)
            throw inSession
                ? ValidationFailure([FieldError("totp", "is required: send the current code of your authenticator")])
                : ServiceError.totpRequired
        }
        guard let step = TOTPCode.step(of: totp, secret: secret, at: now) else {
            try await fail(credentials.user, source: source, at: now, why: "wrong TOTP code", inSession: inSession)
            throw inSession
                ? ValidationFailure([FieldError("totp", "is not the current code")])
                : ServiceError.unauthenticated("the TOTP code is not right")
        }
        return Proof(user: credentials.user, step: step, admission: admission)
    }

    /// `prove` for the signed-in caller's own account.
    private func proveInSession(_ caller: Caller, password: String?, totp: String?) async throws -> (Proof, Date) {
        guard let userID = caller.userID else { throw ServiceError.forbidden("only signed-in users hold a TOTP") }
        let now = runtime.now()
        let credentials = try await runtime.database.withConnection { try await users.credentials(id: userID, on: $0) }
        let proof = try await prove(
            credentials, account: caller.name, password: password, totp: totp, source: caller.source, at: now,
            inSession: true)
        return (proof, now)
    }

    /// Spends the proof's TOTP step in the caller's transaction: a code seen before is refused.
    private func spend(_ proof: Proof, inSession: Bool, on db: UnitOfWork) async throws {
        guard let step = proof.step else { return }
        guard try await users.spendTOTPStep(proof.user.id, step: step, on: db) else {
            let message = "was already used: wait for the next code"
            throw inSession
                ? ValidationFailure([FieldError("totp", message)])
                : ServiceError.unauthenticated("the TOTP code \(message)")
        }
    }

    /// Queues the security notice to the user, when this instance sends email.
    private func notify(
        _ user: User, _ change: SecurityNoticeEmail.Change, caller: Caller, at now: Date, on db: UnitOfWork
    ) async throws {
        guard email else { return }
        let message = SecurityNoticeEmail.compose(
            change, account: user.email, at: now, source: caller.source, locale: user.locale)
        try await outbox.insert(
            NotificationRepository.Email(
                id: runtime.ids.next(), providerID: user.providerID, recipient: user.email, subject: message.subject,
                body: message.body, attempts: 0, createdAt: now),
            on: db)
    }

    /// Audits a wrong secret: at sign-in, or when a signed-in user's own proof failed.
    private func fail(_ user: User?, source: String?, at now: Date, why: String, inSession: Bool) async throws {
        guard let user else { return }
        let caller = Caller(user: user, sessionTokenHash: nil, mfaAt: nil, source: source)
        let action = inSession ? "session.verification_failed" : "session.sign_in_failed"
        try await runtime.database.transaction { db in
            try await audit.record(caller, action, target: "user", id: user.id, reason: why, at: now, on: db)
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
