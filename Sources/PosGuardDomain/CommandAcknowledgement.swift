import Foundation

/// A terminal's answer to a command it was sent, and what follows from it. The first answer closes the
/// command; the same answer again changes nothing (an agent resends until it hears back); a different
/// answer to a closed or expired command is refused. A done lock or unlock is then followed by the registry.
extension TerminalCommand {
    /// What the terminal reports it did.
    public enum Outcome: String, Sendable, Codable, CaseIterable {
        case done, failed

        public var status: Status { self == .done ? .done : .failed }
    }

    /// The most of a terminal's detail kept with its answer.
    public static let detailLimit = 1000

    /// Refused: the command was already closed otherwise.
    public struct Contradiction: Error, Sendable, Equatable {
        public var status: Status

        public init(status: Status) { self.status = status }

        public var message: String { "the command is already \(status.rawValue)" }
    }

    /// The command closed by the terminal's answer at `now`, or `nil` when it repeats the answer already
    /// recorded (nothing changes).
    public func acknowledged(_ answer: Outcome, detail: String?, at now: Date) throws(Contradiction)
        -> TerminalCommand?
    {
        switch status {
        case answer.status:
            return nil
        case .done, .failed, .expired:
            throw Contradiction(status: status)
        case .queued, .delivered:
            var after = self
            after.status = answer.status
            after.acknowledgedAt = now
            after.detail = detail.map { String($0.prefix(Self.detailLimit)) }
            return after
        }
    }

    /// Where the registry moves the terminal now in `state` after this command was answered: a done lock
    /// locks a terminal in service (a stolen or suspected one keeps its theft state), a done unlock returns a
    /// locked one to service; anything else leaves it where it is.
    public func followUp(from state: TerminalState) -> (state: TerminalState, reason: String)? {
        let reason = "\(type.rawValue) acknowledged by the terminal"
        switch (type, status, state) {
        case (.lock, .done, .active), (.lock, .done, .maintenance): return (.locked, reason)
        case (.unlock, .done, .locked): return (.active, reason)
        default: return nil
        }
    }
}
