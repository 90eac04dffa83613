import Foundation
import PosGuardDomain
import PosGuardStorage

/// Takes in a terminal's signed event batch: every valid event is judged by the detection rules, then the
/// events, the terminal's detection memory and any alerts are committed together, and only then is the
/// batch acknowledged. The acknowledgement moves only over settled numbers (`EventLedger`): missing ones are
/// named for the agent to resend or declare lost. A resent event is ignored, never counted twice; numbers
/// given up as lost are a finding; a bad event is refused with its reason without spoiling the good ones.
public struct Ingest: Sendable {
    public static let maximumEvents = 1000

    public struct Refused: Sendable, Encodable, Equatable {
        public var seq: Int64?
        public var reason: String
    }

    public struct Outcome: Sendable {
        /// Every event up to this number is settled: stored, refused, or given up as lost.
        public var ackedSeq: Int64
        /// Numbers above `ackedSeq` the server still awaits, lowest first: the agent resends them or declares
        /// them lost.
        public var missing: [ClosedRange<Int64>]
        public var refused: [Refused]
        public var commands: [TerminalCommand]
        public var alerts: [Alert]
    }

    /// One event of a batch, read.
    enum Entry {
        case accepted(AgentEvent, json: String)
        case refused(Refused)

        var item: EventLedger.Item {
            switch self {
            case .accepted(let event, _): .accepted(seq: event.seq, declaresLost: event.declaresLost)
            case .refused(let refusal): .refused(seq: refusal.seq)
            }
        }

        var event: AgentEvent? {
            guard case .accepted(let event, _) = self else { return nil }
            return event
        }
    }

    let runtime: Runtime
    let engine: DetectionEngine
    let alertDesk: AlertDesk
    let containment: Containment
    let remoteCommands: RemoteCommands
    let events = EventRepository()

    init(runtime: Runtime, engine: DetectionEngine, alertDesk: AlertDesk, registry: TerminalRegistry) {
        self.runtime = runtime
        self.engine = engine
        self.alertDesk = alertDesk
        containment = Containment(runtime: runtime, registry: registry)
        remoteCommands = RemoteCommands(runtime: runtime, registry: registry)
    }

    /// Reads a batch body: `{"events": [ … ]}` with at most `maximumEvents` events. A body that is not JSON
    /// (not UTF-8 text, among others) throws its `JSONValue.SyntaxError`.
    public static func read(_ body: [UInt8]) throws -> [JSONValue] {
        let batch = try JSONValue.parse(body)
        guard let events = batch.object?["events"]?.array else {
            throw ValidationFailure([FieldError("events", "send {\"events\": [ … ]}, a JSON object holding an array")])
        }
        guard events.count <= maximumEvents else {
            throw ValidationFailure([
                FieldError("events", "holds \(events.count) events; at most \(maximumEvents) per batch")
            ])
        }
        return events
    }

    public func ingest(_ values: [JSONValue], from terminalID: UUID) async throws -> Outcome {
        let now = runtime.now()
        let entries = values.map { value -> Entry in
            guard let object = value.object else {
                return .refused(Refused(seq: nil, reason: "each event must be a JSON object"))
            }
            switch AgentEventParsing.parse(object, now: now) {
            case .success(let event): return .accepted(event, json: value.text)
            case .failure(let refusal): return .refused(Refused(seq: refusal.seq, reason: refusal.reason))
            }
        }
        return try await engine.lock.withLock(terminalID) {
            try await judgeAndStore(entries, terminalID: terminalID, now: now)
        }
    }

    private func judgeAndStore(_ entries: [Entry], terminalID: UUID, now: Date) async throws -> Outcome {
        guard let subject = try await engine.subject(terminalID) else { throw ServiceError.notFound("terminal") }
        // Only approved refunds touch the store's memory: other batches never wait for a neighbour's.
        guard entries.contains(where: { $0.event.map(DetectionRules.concernsStore) ?? false }) else {
            return try await judgeAndStore(entries, subject: subject, store: nil, now: now)
        }
        let store = subject.terminal.storeID
        return try await engine.lock.withLock(store) {
            try await judgeAndStore(entries, subject: subject, store: engine.storeWatch(of: store), now: now)
        }
    }

    /// Judges and commits a batch; `store` is the store's memory when the batch holds events that concern
    /// it, and its lock is then held.
    private func judgeAndStore(_ entries: [Entry], subject: DetectionEngine.Subject, store: StoreWatch?, now: Date)
        async throws -> Outcome
    {
        let terminalID = subject.terminal.id
        let settings = subject.context.settings
        var watch = engine.watch(of: terminalID)
        var storeWatch = store ?? StoreWatch()
        // Resent and repeated events are left out of `fresh`; numbers given up are findings.
        let settlement = watch.ledger.settle(
            entries.map(\.item), at: now, giveUpAfter: settings.eventGapAfterMinutes * 60)
        var findings = settlement.lost.map { DetectionRules.eventGap($0, settings: settings, at: now) }
        let jumps = settlement.outOfReach.compactMap { entries[$0].item.seq }
        if let jump = DetectionRules.numberingJump(jumps, acked: settlement.ackedBefore, at: now) {
            findings.append(jump)
        }
        var fresh: [(event: AgentEvent, json: String)] = []
        for case .accepted(let event, let json) in settlement.fresh.map({ entries[$0] }) { fresh.append((event, json)) }
        var firstICCID: String? = nil
        for (event, _) in fresh {
            findings += DetectionRules.judge(
                event, of: terminalID, watch: &watch, store: &storeWatch, context: subject.context)
            if case .sim(let iccid) = event.body, subject.context.registeredICCID == nil,
                settings.allowedICCIDs.isEmpty, firstICCID == nil
            {
                firstICCID = iccid
            }
        }
        watch.lastSeenAt = now
        watch.silence = .none

        let stored = fresh.map {
            StoredEvent(
                terminalID: terminalID, seq: $0.event.seq, type: $0.event.type, at: $0.event.at, receivedAt: now,
                body: $0.json)
        }
        let terminal = subject.terminal
        let (alerts, pending) = try await runtime.database.transaction { db in
            try await events.insert(stored, on: db)
            try await events.saveWatch(watch, of: terminalID, at: now, on: db)
            if let store, storeWatch != store {
                try await events.saveStoreWatch(storeWatch, of: terminal.storeID, at: now, on: db)
            }
            let alerts = try await alertDesk.record(findings, for: terminal, at: now, on: db)
            if let iccid = firstICCID {
                // Trust on first use: a terminal registered without a SIM adopts the first one it reports.
                try await TerminalRepository().adoptICCID(iccid, of: terminalID, at: now, on: db)
            }
            if settings.autoLockOnCritical, let critical = findings.first(where: { $0.severity == .critical }) {
                try await containment.respond(to: critical, terminal: terminal, at: now, on: db)
            }
            let pending = try await remoteCommands.deliver(
                to: terminalID, provider: terminal.providerID, at: now, on: db)
            return (alerts, pending)
        }
        engine.setWatch(watch, of: terminalID)
        if store != nil { engine.setStoreWatch(storeWatch, of: terminal.storeID) }
        return Outcome(
            ackedSeq: watch.ledger.acked, missing: watch.missing.map { $0.from...$0.to },
            refused: Self.refusals(entries, outOfReach: settlement.outOfReach, acked: settlement.ackedBefore),
            commands: pending, alerts: alerts)
    }

    /// The batch's refusals in the order sent: events refused for their content, and events numbered too far
    /// ahead, which are not counted (whatever else was wrong with them).
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

extension Ingest {
    /// A terminal's stored events after `seq`, oldest first, for people investigating it.
    public func events(of terminal: UUID, after seq: Int64, limit: Int, by caller: Caller) async throws
        -> [StoredEvent]
    {
        try await runtime.database.withConnection { db in
            guard try await TerminalRepository().find(terminal, in: caller.scope, on: db) != nil else {
                throw ServiceError.notFound("terminal")
            }
            return try await events.events(of: terminal, after: seq, limit: limit, in: caller.scope, on: db)
        }
    }
}
