import PosGuardDomain

/// Why a service refused a request, in terms the interfaces turn into status codes and messages.
public enum ServiceError: Error, Equatable, Sendable {
    /// The thing does not exist, or lies outside the caller's scope: the two are never told apart.
    case notFound(String)
    /// The caller's role may not do this.
    case forbidden(String)
    /// The request clashes with what is stored (a duplicate, a stale state).
    case conflict(field: String?, message: String)
    /// The lifecycle does not allow this move; `allowed` lists the moves it does allow.
    case illegalTransition(from: TerminalState, to: TerminalState, allowed: [TerminalState], message: String)
    /// A destructive action needs a TOTP code proved in this session within the last few minutes.
    case mfaRequired(String)
    /// The sign-in failed, or the session is missing, expired or revoked.
    case unauthenticated(String)
    /// The sign-in needs a TOTP code as well.
    case totpRequired
    /// Too many failed sign-ins: wait this many seconds.
    case throttled(retryAfter: Int)
    /// An import file has bad rows; nothing was written.
    case importRejected([TerminalImport.RowError])
}
