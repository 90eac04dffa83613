import Foundation

/// An event of a terminal as the event log keeps it: its number, kind and time, when the server received
/// it, and the event as the terminal sent it.
public struct StoredEvent: Sendable, Equatable {
    public var terminalID: UUID
    public var seq: Int64
    public var type: String
    public var at: Date
    public var receivedAt: Date
    /// The event as the terminal sent it (JSON).
    public var body: String

    public init(terminalID: UUID, seq: Int64, type: String, at: Date, receivedAt: Date, body: String) {
        self.terminalID = terminalID
        self.seq = seq
        self.type = type
        self.at = at
        self.receivedAt = receivedAt
        self.body = body
    }
}
