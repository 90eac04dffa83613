import Foundation

/// A line an incident writes about itself on its timeline: a note, a task ended, a notice sent, an access
/// granted or revoked, evidence handed over.
public struct IncidentLogEntry: Sendable, Equatable, Codable {
    public var id: UUID
    public var incidentID: UUID
    public var at: Date
    public var actor: String
    /// `opened`, `note`, `task`, `notice`, `access`, `evidence`, `read`, `closed`, …
    public var kind: String
    public var text: String

    public init(id: UUID, incidentID: UUID, at: Date, actor: String, kind: String, text: String) {
        self.id = id
        self.incidentID = incidentID
        self.at = at
        self.actor = actor
        self.kind = kind
        self.text = text
    }
}
