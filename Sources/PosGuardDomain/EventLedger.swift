import Foundation

/// The accounting of one terminal's event numbers behind the agent protocol's acknowledgement. Every number
/// up to `acked` is settled — stored, refused for good, or given up as lost — so an agent may free its resend
/// buffer up to it. Numbers above it that never arrived are `missing`: the agent resends them, or declares
/// them lost with a `gap` event; those that do not come within a while are given up. Only then does the
/// acknowledgement move past them, and their loss is an `event_gap` finding (events a thief wiping the
/// device would destroy).
public struct EventLedger: Sendable, Equatable {
    /// How far ahead of the acknowledged number an event may be numbered. Further is an absurd jump, refused
    /// and not counted, so one bad number can neither open a hole nobody can fill nor push the
    /// acknowledgement out of reach; an agent must keep everything above `acked` anyway, so this also bounds
    /// its resend buffer.
    public static let maximumAhead: Int64 = 100_000
    /// The most missing ranges kept at once; past it the lowest are given up, so an agent skipping every
    /// other number cannot grow the terminal's saved memory without bound.
    public static let maximumMissingRanges = 100

    /// The highest number settled.
    public var highest: Int64
    /// Numbers between `acked` and `highest` not yet settled, lowest first, disjoint.
    public var missing: [MissingEvents]

    public init(highest: Int64 = 0, missing: [MissingEvents] = []) {
        self.highest = highest
        self.missing = missing
    }

    /// The highest number with nothing missing below it.
    public var acked: Int64 { (missing.first?.from ?? highest + 1) - 1 }

    /// One event of a batch as the accounting sees it.
    public enum Item: Sendable, Equatable {
        /// An event accepted for storage; a `gap` event also declares a range lost.
        case accepted(seq: Int64, declaresLost: ClosedRange<Int64>? = nil)
        /// An event refused for its content. A readable number is settled by it (the agent must not resend
        /// it); an unreadable one (`nil`) settles nothing.
        case refused(seq: Int64?)

        public var seq: Int64? {
            switch self {
            case .accepted(let seq, _): seq
            case .refused(let seq): seq
            }
        }
    }

    /// What a batch changed.
    public struct Settlement: Sendable, Equatable {
        /// Positions in the batch of accepted events seen for the first time, by number: store and judge
        /// these. Resent and repeated events are left out.
        public var fresh: [Int] = []
        /// Positions of events numbered more than `maximumAhead` past the acknowledgement: refused, not counted.
        public var outOfReach: [Int] = []
        /// Missing numbers given up in this batch.
        public var lost: [Loss] = []
        /// The acknowledged number when the batch came in.
        public var ackedBefore: Int64 = 0
    }

    /// Missing numbers given up, and why.
    public struct Loss: Sendable, Equatable {
        public var from: Int64
        public var to: Int64
        public var cause: Cause

        public init(from: Int64, to: Int64, cause: Cause) {
            self.from = from
            self.to = to
            self.cause = cause
        }

        public enum Cause: Sendable, Equatable {
            /// The agent declared them lost in its `gap` event with this number.
            case declared(by: Int64)
            /// Missing since this time for longer than the terminal's setting allows.
            case overdue(since: Date)
            /// Given up to keep at most `maximumMissingRanges` ranges.
            case crowded
        }
    }

    /// Accounts for a batch at `now`: every readable number is settled (in order, so a batch running
    /// straight on moves the acknowledgement along), then the batch's declarations of loss are applied,
    /// then missing numbers older than `giveUpAfter` seconds are given up.
    /// `after` is the newest believed time of the terminal's events before these (see `EventClock`): the
    /// events of a hole they open cannot have happened before it.
    public mutating func settle(_ items: [Item], at now: Date, giveUpAfter: TimeInterval, after: Date? = nil)
        -> Settlement
    {
        var settlement = Settlement(ackedBefore: acked)
        let ordered = items.indices.compactMap { i in items[i].seq.map { (seq: $0, index: i) } }
            .filter { $0.seq >= 1 }.sorted { ($0.seq, $0.index) < ($1.seq, $1.index) }
        var declarations: [(seq: Int64, range: ClosedRange<Int64>)] = []
        for (seq, index) in ordered {
            guard seq <= acked + Self.maximumAhead else {
                settlement.outOfReach.append(index)
                continue
            }
            guard receive(seq, at: now, after: after), case .accepted(_, let declared) = items[index] else { continue }
            settlement.fresh.append(index)
            if let declared { declarations.append((seq, declared)) }
        }
        for (seq, range) in declarations {
            settlement.lost += giveUp(range).map {
                Loss(from: $0.lowerBound, to: $0.upperBound, cause: .declared(by: seq))
            }
        }
        settlement.lost += giveUpOverdue(at: now, after: giveUpAfter)
        while missing.count > Self.maximumMissingRanges {
            let lowest = missing.removeFirst()
            settlement.lost.append(Loss(from: lowest.from, to: lowest.to, cause: .crowded))
        }
        return settlement
    }

    /// Gives up every range missing for at least `seconds` at `now`.
    public mutating func giveUpOverdue(at now: Date, after seconds: TimeInterval) -> [Loss] {
        let cutoff = now.addingTimeInterval(-seconds)
        let overdue = missing.filter { $0.since <= cutoff }
        missing.removeAll { $0.since <= cutoff }
        return overdue.map { Loss(from: $0.from, to: $0.to, cause: .overdue(since: $0.since)) }
    }

    /// When the oldest missing range was first noticed.
    public var missingSince: Date? { missing.map(\.since).min() }

    /// Settles one number; whether it was not settled before.
    mutating func receive(_ seq: Int64, at now: Date, after: Date? = nil) -> Bool {
        if seq > highest {
            if seq > highest + 1 {
                missing.append(MissingEvents(from: highest + 1, to: seq - 1, since: now, after: after))
            }
            highest = seq
            return true
        }
        guard let i = missing.firstIndex(where: { $0.from <= seq && seq <= $0.to }) else { return false }
        missing.replaceSubrange(i...i, with: missing[i].removing(seq...seq))
        return true
    }

    /// Stops waiting for the missing numbers within `range`; returns those that were missing.
    mutating func giveUp(_ range: ClosedRange<Int64>) -> [ClosedRange<Int64>] {
        var given: [ClosedRange<Int64>] = []
        missing = missing.flatMap { gap -> [MissingEvents] in
            let from = max(gap.from, range.lowerBound)
            let to = min(gap.to, range.upperBound)
            guard from <= to else { return [gap] }
            given.append(from...to)
            return gap.removing(from...to)
        }
        return given
    }
}

/// Consecutive event numbers a terminal has not sent, and since when the server has been waiting for them.
public struct MissingEvents: Sendable, Equatable, Codable {
    public var from: Int64
    public var to: Int64
    /// When the server first noticed them missing (server clock).
    public var since: Date
    /// The newest believed time of the terminal's events when they went missing: they happened after it.
    public var after: Date?

    public init(from: Int64, to: Int64, since: Date, after: Date? = nil) {
        self.from = from
        self.to = to
        self.since = since
        self.after = after
    }

    /// What is left of this range without `part` (which lies within it).
    func removing(_ part: ClosedRange<Int64>) -> [MissingEvents] {
        var left: [MissingEvents] = []
        if from < part.lowerBound {
            left.append(MissingEvents(from: from, to: part.lowerBound - 1, since: since, after: after))
        }
        if part.upperBound < to {
            left.append(MissingEvents(from: part.upperBound + 1, to: to, since: since, after: after))
        }
        return left
    }
}
