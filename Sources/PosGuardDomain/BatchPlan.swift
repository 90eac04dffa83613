import Foundation

/// What one signed batch of a terminal's events does, decided before anything is written: which events are
/// fresh (stored and judged; resent and repeated ones are left out), the findings they and the batch's
/// numbering raise, the refusals to answer, the terminal's and its store's memory afterwards, the
/// acknowledged number with the numbers still awaited, and the SIM a terminal registered without one
/// adopts. Numbers given up as lost are `event_gap` findings; events numbered absurdly far ahead are
/// refused, not counted, and one numbering-jump finding.
public struct BatchPlan: Sendable, Equatable {
    /// An event refused, with the reason the agent's developer reads; `seq` when it was readable.
    public struct Refused: Sendable, Encodable, Equatable {
        public var seq: Int64?
        public var reason: String

        public init(seq: Int64?, reason: String) {
            self.seq = seq
            self.reason = reason
        }
    }

    /// One event of a batch, read: accepted with the JSON it is stored as, or refused for its content.
    public enum Entry: Sendable, Equatable {
        case accepted(AgentEvent, json: String)
        case refused(Refused)

        /// Reads one event of a batch.
        public init(_ value: JSONValue) {
            guard let object = value.object else {
                self = .refused(Refused(seq: nil, reason: "each event must be a JSON object"))
                return
            }
            switch AgentEventParsing.parse(object) {
            case .success(let event): self = .accepted(event, json: value.text)
            case .failure(let refusal): self = .refused(Refused(seq: refusal.seq, reason: refusal.reason))
            }
        }

        var item: EventLedger.Item {
            switch self {
            case .accepted(let event, _): .accepted(seq: event.seq, declaresLost: event.declaresLost)
            case .refused(let refusal): .refused(seq: refusal.seq)
            }
        }

        public var event: AgentEvent? {
            guard case .accepted(let event, _) = self else { return nil }
            return event
        }
    }

    /// An event seen for the first time, to store as sent.
    public struct Fresh: Sendable, Equatable {
        public var event: AgentEvent
        public var json: String
    }

    public var fresh: [Fresh] = []
    /// Numbers given up, a numbering jump, then what the fresh events showed, in the order they came.
    public var findings: [Finding] = []
    /// The batch's refusals in the order sent.
    public var refused: [Refused] = []
    /// The terminal's memory after the batch: heard from now, no longer silent.
    public var watch: TerminalWatch
    /// The store's memory after the batch (changed only by events that concern the store).
    public var storeWatch: StoreWatch
    /// Trust on first use: the first SIM reported by a terminal registered without one and without a list of
    /// allowed SIMs, which it adopts.
    public var adoptedICCID: String?

    /// Every event up to this number is settled: stored, refused, or given up as lost.
    public var ackedSeq: Int64 { watch.ledger.acked }
    /// Numbers above `ackedSeq` still awaited, lowest first: the agent resends them or declares them lost.
    public var missing: [ClosedRange<Int64>] { watch.missing.map { $0.from...$0.to } }

    /// Plans a batch of `terminal` at `now` from the memories it had, in its detection context.
    public init(
        _ entries: [Entry], terminal: UUID, watch: TerminalWatch, store: StoreWatch, context: DetectionContext,
        at now: Date
    ) {
        self.watch = watch
        storeWatch = store
        let settings = context.settings
        let skew = settings.clockSkewMinutes * 60
        // An event stamped further ahead than the skew is refused for good, and tells of the terminal's clock.
        let future = entries.compactMap { $0.event }.filter { $0.at.timeIntervalSince(now) > skew }
        let entries = entries.map { entry in
            guard let event = entry.event, future.contains(event) else { return entry }
            return Entry.refused(
                Refused(
                    seq: event.seq,
                    reason: "at is in the future: more than \(Int(settings.clockSkewMinutes)) minutes ahead of the "
                        + "server's clock"))
        }
        let highestBefore = watch.lastSeq
        let settlement = self.watch.ledger.settle(
            entries.map(\.item), at: now, giveUpAfter: settings.eventGapAfterMinutes * 60, after: watch.newestEventAt)
        findings = settlement.lost.map { DetectionRules.eventGap($0, settings: settings, at: now) }
        let jumps = settlement.outOfReach.compactMap { entries[$0].item.seq }
        if let jump = DetectionRules.numberingJump(jumps, acked: settlement.ackedBefore, at: now) {
            findings.append(jump)
        }
        for case .accepted(let event, let json) in settlement.fresh.map({ entries[$0] }) {
            fresh.append(Fresh(event: event, json: json))
        }
        if let finding = EventClock.future(
            future.map(\.seq), latest: future.map(\.at).max() ?? now, watch: &self.watch, now: now)
        {
            findings.append(finding)
        }
        // Rules judge each event at the time it is believed to have happened; it is stored as sent.
        let clock = EventClock.judge(
            fresh.map(\.event), highestBefore: highestBefore, holes: watch.missing, watch: &self.watch, skew: skew,
            now: now, refusedFuture: !future.isEmpty)
        findings += [clock.finding].compactMap { $0 }
        var context = context
        for event in clock.events {
            findings += DetectionRules.judge(
                event, of: terminal, watch: &self.watch, store: &storeWatch, context: context)
            if case .sim(let iccid?) = event.body, context.registeredICCID == nil, settings.allowedICCIDs.isEmpty {
                // Adopted at once: another SIM later in the same batch is a swap.
                adoptedICCID = iccid
                context.registeredICCID = iccid
            }
        }
        if let seen = watch.lastSeenAt {
            let gap = min(max(now.timeIntervalSince(seen), 0), settings.offlineAfterMinutes * 60)
            self.watch.reportingInterval = watch.reportingInterval.map { 0.8 * $0 + 0.2 * gap } ?? gap
        }
        self.watch.lastSeenAt = now
        self.watch.silence = .none
        if fresh.contains(where: { if case .location = $0.event.body { true } else { false } }) {
            self.watch.lastFixSeenAt = now
            self.watch.fixSilenceReported = false
        }
        refused = Self.refusals(entries, outOfReach: settlement.outOfReach, acked: settlement.ackedBefore)
    }

    /// Whether the batch touches its store's memory: only approved refunds do, so other batches never wait
    /// for a neighbour's.
    public static func concernsStore(_ entries: [Entry]) -> Bool {
        entries.contains { $0.event.map(DetectionRules.concernsStore) ?? false }
    }

    /// Events refused for their content, and events numbered too far ahead, which are not counted (whatever
    /// else was wrong with them), in the order sent.
    static func refusals(_ entries: [Entry], outOfReach: [Int], acked: Int64) -> [Refused] {
        let outOfReach = Set(outOfReach)
        return entries.indices.compactMap { i in
            if outOfReach.contains(i), let seq = entries[i].item.seq {
                return Refused(
                    seq: seq,
                    reason: "seq \(seq) is more than \(EventLedger.maximumAhead) past acked_seq \(acked): "
                        + "refused and not counted")
            }
            guard case .refused(let refusal) = entries[i] else { return nil }
            return refusal
        }
    }
}
