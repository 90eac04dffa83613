import Foundation

/// One link in a piece of evidence's chain of custody: it came in, was downloaded, was handed from one
/// person to another, or its file was deleted once its retention period was over.
public struct CustodyEntry: Sendable, Equatable, Codable {
    public enum Action: String, Sendable, Codable, CaseIterable {
        case upload
        case download
        case handover
        case deletion
    }

    /// Who holds evidence kept by PosGuard: the instance's evidence store.
    public static let store = "PosGuard evidence store"

    public var id: UUID
    public var evidenceID: UUID
    public var incidentID: UUID
    public var at: Date
    /// Who recorded it (the signed-in user).
    public var actor: String
    public var action: Action
    public var from: String?
    public var to: String?
    public var purpose: String?

    public init(
        id: UUID, evidenceID: UUID, incidentID: UUID, at: Date, actor: String, action: Action, from: String?,
        to: String?, purpose: String?
    ) {
        self.id = id
        self.evidenceID = evidenceID
        self.incidentID = incidentID
        self.at = at
        self.actor = actor
        self.action = action
        self.from = from
        self.to = to
        self.purpose = purpose
    }

    /// The line the entry writes on the incident's timeline.
    public func text(about evidence: Evidence) -> String {
        let what =
            switch action {
            case .upload: "taken into the evidence store"
            case .download: "downloaded"
            case .handover: "handed over"
            case .deletion: "file deleted after its retention period"
            }
        var text = "\(evidence.label) \(what)"
        if let from, action == .handover || action == .upload { text += " from \(from)" }
        if let to, action == .handover || action == .download { text += " to \(to)" }
        if let purpose { text += ": \(purpose)" }
        return text
    }
}
