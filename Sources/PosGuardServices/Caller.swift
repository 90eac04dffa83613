import Foundation
import PosGuardDomain

/// Who is asking: a signed-in user, or the instance's operator at the command line.
public struct Caller: Sendable {
    public var userID: UUID?
    /// How the audit log names the caller: the user's email, or `cli` / `demo`.
    public var name: String
    public var role: Role
    public var scope: Scope
    public var locale: User.Locale
    /// SHA-256 of the session token, for signing out and MFA marks.
    public var sessionTokenHash: String?
    /// When this session last proved a TOTP code.
    public var mfaAt: Date?
    public var source: String?

    /// How long a TOTP verification counts as recent for destructive actions.
    public static let recentMFAWindow: TimeInterval = 15 * 60

    public init(user: User, sessionTokenHash: String?, mfaAt: Date?, source: String?) {
        userID = user.id
        name = user.email
        role = user.role
        scope = user.scope
        locale = user.locale
        self.sessionTokenHash = sessionTokenHash
        self.mfaAt = mfaAt
        self.source = source
    }

    /// The operator of the instance acting on one provider from its shell: trusted as a provider admin
    /// with fresh MFA, because whoever runs the binary already holds the database.
    public static func system(_ name: String, provider: UUID, at now: Date) -> Caller {
        Caller(
            userID: nil, name: name, role: .providerAdmin, scope: .provider(provider), locale: .en,
            sessionTokenHash: nil, mfaAt: now, source: nil)
    }

    init(
        userID: UUID?, name: String, role: Role, scope: Scope, locale: User.Locale, sessionTokenHash: String?,
        mfaAt: Date?, source: String?
    ) {
        self.userID = userID
        self.name = name
        self.role = role
        self.scope = scope
        self.locale = locale
        self.sessionTokenHash = sessionTokenHash
        self.mfaAt = mfaAt
        self.source = source
    }

    /// The one check every service makes before acting (the permission table is `Role.permission(for:)`),
    /// after finding its target in the caller's scope: forbidden, or missing the recent TOTP proof the
    /// action needs.
    public func authorize(_ action: Action, at now: Date) throws {
        switch role.permission(for: action) {
        case .allowed:
            return
        case .needsRecentMFA where hasRecentMFA(at: now):
            return
        case .needsRecentMFA:
            throw ServiceError.mfaRequired(
                "to \(action.description) needs a TOTP code verified in the last 15 minutes (POST /api/v1/session/totp)"
            )
        case .denied:
            throw ServiceError.forbidden(action.refusal(for: role))
        }
    }

    /// Whether the table lets the caller take the action at all (a second factor aside), for reads that show
    /// a refused caller nothing rather than refusing them.
    public func may(_ action: Action) -> Bool { role.permission(for: action) != .denied }

    /// Whether `authorize` would let the caller take the action now, second factor included: for effects
    /// that are taken at once when the caller can, and left as a task for someone who can otherwise.
    public func can(_ action: Action, at now: Date) -> Bool { (try? authorize(action, at: now)) != nil }

    private func hasRecentMFA(at now: Date) -> Bool {
        guard let mfaAt else { return false }
        return now.timeIntervalSince(mfaAt) <= Self.recentMFAWindow
    }
}
