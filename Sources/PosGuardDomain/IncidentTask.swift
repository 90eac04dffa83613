import Foundation

/// One step of an incident's response plan: who owns it, by when, and how it ended.
public struct IncidentTask: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable {
        case open
        case done
        case notApplicable = "not_applicable"
    }

    public var id: UUID
    public var incidentID: UUID
    /// The template step it comes from, e.g. `report_police`.
    public var key: String
    public var title: String
    public var ownerRole: Role
    public var dueAt: Date
    public var state: State
    /// Why it does not apply, or what was done.
    public var note: String?
    public var doneBy: String?
    public var doneAt: Date?

    public init(
        id: UUID, incidentID: UUID, key: String, title: String, ownerRole: Role, dueAt: Date, state: State = .open
    ) {
        self.id = id
        self.incidentID = incidentID
        self.key = key
        self.title = title
        self.ownerRole = ownerRole
        self.dueAt = dueAt
        self.state = state
    }

    /// A task's end that cannot be recorded, with the field to blame.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public var field: String
        public var message: String
        public var description: String { message }
    }

    /// The task ended as `state`: `not_applicable` needs a reason; a task ends once.
    public func ended(_ state: State, note: String?, by actor: String, at now: Date) throws(Refusal) -> IncidentTask {
        guard self.state == .open else {
            throw Refusal(field: "state", message: "the task is already \(self.state.rawValue)")
        }
        guard state != .open else { throw Refusal(field: "state", message: "must be done or not_applicable") }
        if state == .notApplicable, (note ?? "").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw Refusal(field: "note", message: "give the reason the task does not apply")
        }
        var ended = self
        ended.state = state
        ended.note = note
        ended.doneBy = actor
        ended.doneAt = now
        return ended
    }
}
