import Foundation
import PosGuardDomain
import PosGuardStorage

/// Takes in a terminal's signed event batch: every valid event is judged by the detection rules, then the
/// events, the terminal's detection memory and any alerts are committed together — in one transaction with
/// the batches other terminals sent meanwhile (`GroupCommit`) — and only then is the batch acknowledged. The acknowledgement moves only over settled numbers (`EventLedger`): missing ones are
/// named for the agent to resend or declare lost. A resent event is ignored, never counted twice; numbers
/// given up as lost are a finding; a bad event is refused with its reason without spoiling the good ones.
public final class Ingest: Sendable {
    public static let maximumEvents = 1000

    public typealias Refused = BatchPlan.Refused

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

    let runtime: Runtime
    let memory: DetectionMemory
    let events = EventRepository()
    /// Concurrent batches of different terminals share a transaction (see `GroupCommit`).
    let committer: GroupCommit<Write, Committed>

    /// What one planned batch writes: its events, the terminal's (and maybe its store's) memory, encoded
    /// before the transaction, and what its findings set off.
    struct Write: Sendable {
        /// When the batch was received.
        var at: Date
        var terminal: Terminal
        var events: [StoredEvent]
        var watch: String
        var storeWatch: String?
        var findings: [Finding]
        var adoptedICCID: String?
        var autoLock: Bool
    }

    /// What a committed batch answers besides its acknowledgement.
    struct Committed: Sendable {
        var alerts: [Alert]
        var commands: [TerminalCommand]
    }

    init(
        runtime: Runtime, memory: DetectionMemory, ownership: SlotOwnership, alertDesk: AlertDesk,
        registry: TerminalRegistry
    ) {
        self.runtime = runtime
        self.memory = memory
        let containment = Containment(runtime: runtime, registry: registry)
        let remoteCommands = RemoteCommands(runtime: runtime, registry: registry)
        // A batch weighs the rows it writes: its events and its terminal's memory.
        committer = GroupCommit(
            database: runtime.database, weigh: { $0.events.count + 1 }, gather: GroupCommit<Write, Committed>.pause
        ) { writes, db in
            let committed = try await Self.commit(
                writes, alertDesk: alertDesk, containment: containment, remoteCommands: remoteCommands, on: db)
            // Last, so the owner rows are locked only while the transaction commits.
            try await ownership.fence(stores: writes.map(\.terminal.storeID), on: db)
            return committed
        }
    }

    /// Reads a batch body: `{"events": [ … ]}` with at most `maximumEvents` events. A body that is not JSON
    /// (not UTF-8 text, among others) throws its `JSONValue.SyntaxError`.
    public static func read(_ body: [UInt8]) throws -> [JSONValue] {
        let batch = try JSONValue.parse(body)
        guard let events = batch.object?["events"]?.array else {
            throw ValidationFailure([FieldError("events", "send {\"events\": [ … ]}, a JSON object holding an array")])
        }
        if let unknown = batch.object?.keys.filter({ $0 != "events" }).sorted().first {
            // A field name is echoed back, unless it holds a card number.
            throw ValidationFailure([
                CardDataScan.containsCardData(unknown)
                    ? FieldError("body", "holds card data in a field name: PosGuard never accepts card numbers")
                    : FieldError(unknown, "is not a field of a batch: send {\"events\": [ … ]} only")
            ])
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
        let entries = values.map { BatchPlan.Entry($0) }
        return try await memory.lock.withLock(terminalID) {
            try await judgeAndStore(entries, terminalID: terminalID, now: now)
        }
    }

    private func judgeAndStore(_ entries: [BatchPlan.Entry], terminalID: UUID, now: Date) async throws
        -> Outcome
    {
        guard let subject = try await memory.subject(terminalID) else { throw ServiceError.notFound("terminal") }
        guard BatchPlan.concernsStore(entries) else {
            return try await judgeAndStore(entries, subject: subject, store: nil, now: now)
        }
        let store = subject.terminal.storeID
        return try await memory.lock.withLock(store) {
            try await judgeAndStore(entries, subject: subject, store: memory.storeWatch(of: store), now: now)
        }
    }

    /// Plans and commits a batch; `store` is the store's memory when the batch holds events that concern
    /// it, and its lock is then held (so no two batches of a group write one store's memory).
    private func judgeAndStore(
        _ entries: [BatchPlan.Entry], subject: DetectionMemory.Subject, store: StoreWatch?, now: Date
    ) async throws -> Outcome {
        let terminal = subject.terminal
        let plan = BatchPlan(
            entries, terminal: terminal.id, watch: memory.watch(of: terminal.id), store: store ?? StoreWatch(),
            context: subject.context, at: now)
        let write = Write(
            at: now, terminal: terminal,
            events: plan.fresh.map {
                StoredEvent(
                    terminalID: terminal.id, seq: $0.event.seq, type: $0.event.type, at: $0.event.at,
                    receivedAt: now, body: $0.json)
            },
            watch: try EventRepository.encoded(plan.watch),
            storeWatch: store != nil && plan.storeWatch != store ? try EventRepository.encoded(plan.storeWatch) : nil,
            findings: plan.findings, adoptedICCID: plan.adoptedICCID,
            autoLock: subject.context.settings.autoLockOnCritical)
        let committed = try await committer.run(write)
        memory.setWatch(plan.watch, of: terminal.id)
        if store != nil { memory.setStoreWatch(plan.storeWatch, of: terminal.storeID) }
        return Outcome(
            ackedSeq: plan.ackedSeq, missing: plan.missing, refused: plan.refused, commands: committed.commands,
            alerts: committed.alerts)
    }

    /// Writes a group of batches: every event in one statement per few hundred, every memory likewise, the
    /// findings of each batch, then the commands waiting for all its terminals in one read.
    static func commit(
        _ writes: [Write], alertDesk: AlertDesk, containment: Containment, remoteCommands: RemoteCommands,
        on db: UnitOfWork
    ) async throws -> [Committed] {
        let events = EventRepository()
        let now = writes.map(\.at).max() ?? Date()
        try await events.insert(writes.flatMap(\.events), on: db)
        try await events.saveWatches(writes.map { ($0.terminal.id, $0.watch) }, at: now, on: db)
        let stores = writes.compactMap { w in w.storeWatch.map { (w.terminal.storeID, $0) } }
        if !stores.isEmpty { try await events.saveStoreWatches(stores, at: now, on: db) }
        var alerts: [[Alert]] = []
        for write in writes {
            let terminal = write.terminal
            alerts.append(try await alertDesk.record(write.findings, for: terminal, at: write.at, on: db))
            if let iccid = write.adoptedICCID {
                try await TerminalRepository().adoptICCID(iccid, of: terminal.id, at: write.at, on: db)
            }
            if write.autoLock, let critical = write.findings.first(where: { $0.severity == .critical }) {
                try await containment.respond(to: critical, terminal: terminal, at: write.at, on: db)
            }
        }
        let waiting = try await CommandRepository().waiting(of: writes.map(\.terminal.id), on: db)
        var committed: [Committed] = []
        for (write, alerts) in zip(writes, alerts) {
            let commands = try await remoteCommands.deliver(
                waiting[write.terminal.id] ?? [], provider: write.terminal.providerID, at: write.at, on: db)
            committed.append(Committed(alerts: alerts, commands: commands))
        }
        return committed
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

    /// A terminal's last `limit` stored events, newest first.
    public func latestEvents(of terminal: UUID, limit: Int, by caller: Caller) async throws -> [StoredEvent] {
        try await runtime.database.withConnection { db in
            guard try await TerminalRepository().find(terminal, in: caller.scope, on: db) != nil else {
                throw ServiceError.notFound("terminal")
            }
            return try await events.latest(of: terminal, limit: limit, in: caller.scope, on: db)
        }
    }
}
