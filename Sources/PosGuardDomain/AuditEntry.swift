import Foundation

/// One line of the audit log: who changed what, when, from what to what, and why.
/// `before` and `after` are JSON snapshots of the target and never hold secrets.
public struct AuditEntry: Sendable, Equatable, Codable {
    public var id: UUID
    public var at: Date
    public var providerID: UUID?
    public var actorID: UUID?
    /// Readable name of the actor: a user's email, `cli`, `demo`.
    public var actor: String
    /// What was done, as `resource.verb`: `terminal.transition`, `user.create`, `session.login_failed`.
    public var action: String
    public var targetType: String
    public var targetID: UUID?
    public var before: String?
    public var after: String?
    public var reason: String?
    /// The network address the request came from, when there was one.
    public var source: String?

    public init(
        id: UUID, at: Date, providerID: UUID?, actorID: UUID?, actor: String, action: String, targetType: String,
        targetID: UUID?, before: String? = nil, after: String? = nil, reason: String? = nil, source: String? = nil
    ) {
        self.id = id
        self.at = at
        self.providerID = providerID
        self.actorID = actorID
        self.actor = actor
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.before = before
        self.after = after
        self.reason = reason
        self.source = source
    }
}
