import Foundation
import PosGuardDomain
import PosGuardStorage
import SQLKit

/// Takes in a terminal's signed event batch: every valid event is judged by the detection rules, then the
/// events, the terminal's detection memory and any alerts are committed together, and only then is the
/// batch acknowledged. A resent event is ignored, never counted twice; a gap in numbering is itself a
/// finding; a bad event is refused with its reason without spoiling the good ones.
public struct Ingest: Sendable {
    public static let maximumEvents = 1000

    public struct Refused: Sendable, Encodable, Equatable {
        public var seq: Int64?
        public var reason: String
    }

    public struct Outcome: Sendable {
        /// Every event up to this number is stored (or was refused for good).
        public var ackedSeq: Int64
        public var refused: [Refused]
        public var commands: [TerminalCommand]
        public var alerts: [Alert]
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

    /// Reads a batch body: `{"events": [ … ]}` with at most `maximumEvents` events.
    public static func read(_ body: [UInt8]) throws -> [JSONValue] {
        guard let batch = try? JSONValue.parse(body), let events = batch.object?["events"]?.array else {
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
        var accepted: [(event: AgentEvent, json: String)] = []
        var refused: [Refused] = []
        for value in values {
            guard let object = value.object else {
                refused.append(Refused(seq: nil, reason: "each event must be a JSON object"))
                continue
            }
            switch AgentEventParsing.parse(object, now: now) {
            case .success(let event): accepted.append((event, value.text))
            case .failure(let refusal): refused.append(Refused(seq: refusal.seq, reason: refusal.reason))
            }
        }
        return try await engine.lock.withLock(terminalID) {
            try await judgeAndStore(accepted, refused: refused, terminalID: terminalID, now: now)
        }
    }

    private func judgeAndStore(
        _ accepted: [(event: AgentEvent, json: String)], refused: [Refused], terminalID: UUID, now: Date
    ) async throws -> Outcome {
        guard let subject = try await engine.subject(terminalID) else { throw ServiceError.notFound("terminal") }
        // Only approved refunds touch the store's memory: other batches never wait for a neighbour's.
        guard accepted.contains(where: { DetectionRules.concernsStore($0.event) }) else {
            return try await judgeAndStore(accepted, refused: refused, subject: subject, store: nil, now: now)
        }
        let store = subject.terminal.storeID
        return try await engine.lock.withLock(store) {
            try await judgeAndStore(
                accepted, refused: refused, subject: subject, store: engine.storeWatch(of: store), now: now)
        }
    }

    /// Judges and commits a batch; `store` is the store's memory when the batch holds events that concern
    /// it, and its lock is then held.
    private func judgeAndStore(
        _ accepted: [(event: AgentEvent, json: String)], refused: [Refused], subject: DetectionEngine.Subject,
        store: StoreWatch?, now: Date
    ) async throws -> Outcome {
        let terminalID = subject.terminal.id
        var watch = engine.watch(of: terminalID)
        var storeWatch = store ?? StoreWatch()
        let previous = watch.lastSeq
        // Events already processed, or repeated in this batch, are ignored.
        var seen = Set<Int64>()
        let fresh = accepted.sorted { $0.event.seq < $1.event.seq }.filter {
            $0.event.seq > previous && seen.insert($0.event.seq).inserted
        }
        let processedSeqs = (fresh.map(\.event.seq) + refused.compactMap(\.seq).filter { $0 > previous }).sorted()

        var findings: [Finding] = []
        var expected = previous
        for seq in processedSeqs where seq > expected {
            if let gap = DetectionRules.gap(after: expected, next: seq, at: now) { findings.append(gap) }
            expected = seq
        }
        var firstICCID: String? = nil
        for (event, _) in fresh {
            findings += DetectionRules.judge(
                event, of: terminalID, watch: &watch, store: &storeWatch, context: subject.context)
            if case .sim(let iccid) = event.body, subject.context.registeredICCID == nil,
                subject.context.settings.allowedICCIDs.isEmpty, firstICCID == nil
            {
                firstICCID = iccid
            }
        }
        watch.lastSeq = max(previous, processedSeqs.last ?? previous)
        watch.lastSeenAt = now
        watch.silence = .none

        let stored = fresh.map {
            EventRepository.Stored(
                terminalID: terminalID, seq: $0.event.seq, type: $0.event.type, at: $0.event.at, receivedAt: now,
                body: $0.json)
        }
        let terminal = subject.terminal
        let (alerts, pending, changed) = try await runtime.database.transaction { db in
            try await events.insert(stored, on: db)
            try await events.saveWatch(watch, of: terminalID, at: now, on: db)
            if let store, storeWatch != store {
                try await events.saveStoreWatch(storeWatch, of: terminal.storeID, at: now, on: db)
            }
            let alerts = try await alertDesk.record(findings, for: terminal, at: now, on: db)
            var changed = false
            if let iccid = firstICCID {
                // Trust on first use: a terminal registered without a SIM adopts the first one it reports.
                var registered = terminal
                registered.iccid = iccid
                try await TerminalRepository().update(registered, on: db)
                changed = true
            }
            if subject.context.settings.autoLockOnCritical,
                let critical = findings.first(where: { $0.severity == .critical })
            {
                changed = try await containment.respond(to: critical, terminal: terminal, at: now, on: db) || changed
            }
            let pending = try await remoteCommands.deliver(
                to: terminalID, provider: terminal.providerID, at: now, on: db)
            return (alerts, pending, changed)
        }
        engine.setWatch(watch, of: terminalID)
        if store != nil { engine.setStoreWatch(storeWatch, of: terminal.storeID) }
        if changed { await runtime.announce(.terminal(terminalID)) }
        return Outcome(ackedSeq: watch.lastSeq, refused: refused, commands: pending, alerts: alerts)
    }
}

extension Ingest {
    /// A terminal's stored events after `seq`, oldest first, for people investigating it.
    public func events(of terminal: UUID, after seq: Int64, limit: Int, by caller: Caller) async throws
        -> [EventRepository.Stored]
    {
        try await runtime.database.withConnection { db in
            guard try await TerminalRepository().find(terminal, in: caller.scope, on: db) != nil else {
                throw ServiceError.notFound("terminal")
            }
            return try await events.events(of: terminal, after: seq, limit: limit, on: db)
        }
    }
}
