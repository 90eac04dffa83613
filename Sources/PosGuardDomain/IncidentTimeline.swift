import Foundation

/// One line of an incident's timeline: what happened, when, by whom, and to which terminal.
public struct TimelineEntry: Sendable, Equatable, Codable {
    /// `event`, `alert`, `command`, `decline`, `transition`, or the incident's own log kinds (`opened`, `task`,
    /// `note`, `access`, `read`, `evidence`, `notice`, `closed`, …).
    public var kind: String
    public var at: Date
    public var actor: String
    public var text: String
    public var terminalID: UUID?

    public init(kind: String, at: Date, actor: String, text: String, terminalID: UUID? = nil) {
        self.kind = kind
        self.at = at
        self.actor = actor
        self.text = text
        self.terminalID = terminalID
    }

    /// Every source's lines in time order; lines at the same moment keep their sources' order.
    public static func merged(_ sources: [[TimelineEntry]]) -> [TimelineEntry] {
        sources.joined().enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }
}
