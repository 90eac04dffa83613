import Foundation

/// Which declines the decline log keeps one by one, so that anyone able to reach the screening port cannot
/// fill the disk: in each minute, the first `perKey` declines of one terminal for one set of reasons are kept
/// one by one, and the next is kept too and carries the count of all later ones of that minute. Declines of
/// unknown TIDs (the port is open to anyone, so a flood of them costs nothing to send) share a budget: the
/// first `unknownTIDs` of a minute are kept one by one (at most `perKey` for one TID), and the next carries the
/// count of all later ones under the TID `*`.
public struct DeclineSampling: Sendable {
    /// What a decline is counted under: its terminal (or unknown TID) and its reasons.
    public struct Key: Hashable, Sendable {
        /// The terminal's id, `tid:` and an unknown TID, or `tid:*` for unknown TIDs past the budget.
        public var subject: String
        public var reasons: [DeclineReason]
        /// Minutes since 1970.
        public var minute: Int64

        public init(subject: String, reasons: [DeclineReason], minute: Int64) {
            self.subject = subject
            self.reasons = reasons
            self.minute = minute
        }

        /// True for the key shared by the unknown TIDs past the per-minute budget.
        public var isOverflow: Bool { subject == Self.overflow }
        static let overflow = "tid:*"
    }

    public enum Verdict: Equatable, Sendable {
        /// Kept one by one.
        case record
        /// Kept, and the row that counts the rest of the minute's declines under `key`.
        case recordAndCount(Key)
        /// Only counted, into the row kept under `key`.
        case count(Key)
    }

    public let perKey: Int
    public let unknownTIDs: Int
    private var minute: Int64 = .min
    private var seen: [Key: Int] = [:]
    private var unknownSeen = 0

    public init(perKey: Int = 10, unknownTIDs: Int = 50) {
        self.perKey = perKey
        self.unknownTIDs = unknownTIDs
    }

    public mutating func admit(terminal: UUID?, tid: String, reasons: [DeclineReason], at date: Date) -> Verdict {
        let now = Int64((date.timeIntervalSince1970 / 60).rounded(.down))
        if now > minute {
            minute = now
            seen = [:]
            unknownSeen = 0
        }
        var key = Key(subject: terminal.map { $0.uuidString } ?? "tid:\(tid)", reasons: reasons, minute: minute)
        var kept = perKey
        if terminal == nil {
            if unknownSeen < unknownTIDs && seen[key, default: 0] < perKey {
                unknownSeen += 1
            } else {
                key.subject = Key.overflow
                kept = 0
            }
        }
        let count = seen[key, default: 0]
        seen[key] = count + 1
        if count < kept { return .record }
        return count == kept ? .recordAndCount(key) : .count(key)
    }
}
