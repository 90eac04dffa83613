import Foundation
import PosGuardDomain
import PosGuardStorage
import Synchronization

/// The screening gateway's decisions: one in-memory table of terminals keyed by TID, built from storage at
/// start and refreshed whenever a terminal, store or setting changes, with each terminal's last fix read
/// from detection memory — so no decision waits on the database. Declines are recorded, and a payment
/// tried on a stolen terminal raises a `stolen_terminal_used` alert, both off the decision path. The log is
/// bounded: past the first few declines of a terminal (or unknown TID) and reasons in a minute, one row counts the
/// rest (`DeclineSampling`), and rows past the retention period are deleted (`prune`).
public final class ScreeningDesk: Sendable {
    let runtime: Runtime
    let memory: DetectionMemory
    let alertDesk: AlertDesk
    let repository = ScreeningRepository()
    private let table = Mutex(ScreeningTable())
    private let pending = Mutex<[ScreeningDecline]>([])
    private let sampling = Mutex(DeclineSampling())
    /// The row counting each key's declines past the first few of its minute: its id, how many it counts, and
    /// how many of those the database has.
    private let counted = Mutex<[DeclineSampling.Key: (id: UUID, count: Int64, written: Int64)]>([:])

    init(runtime: Runtime, memory: DetectionMemory, alertDesk: AlertDesk) {
        self.runtime = runtime
        self.memory = memory
        self.alertDesk = alertDesk
        runtime.database.changes.listen { [weak self] change in
            // A reload that fails (the database gone for a moment) is healed by the next change or restart.
            try? await self?.reload(change)
        }
    }

    /// Builds the table from storage; call once at start.
    public func load() async throws {
        let profiles = try await runtime.database.withConnection { try await repository.profiles(on: $0) }
        table.withLock { $0 = ScreeningTable(profiles) }
    }

    public var count: Int { table.withLock { $0.count } }

    /// Judges a payment from the in-memory table. `scope` limits the terminals considered to the caller's
    /// (requests through the API: anything else is unknown to them); the ISO 8583 port considers all.
    public func decide(_ request: ScreeningRequest, scope: Scope? = nil) -> ScreeningDecision {
        var candidates = table.withLock { $0[request.tid] }
        if let scope {
            candidates.removeAll {
                !scope.contains(provider: $0.providerID, merchant: $0.merchantID, store: $0.storeID)
            }
        }
        return Screening.decide(request, candidates: candidates) { memory.watch(of: $0).isOffPremises }
    }

    /// Keeps the first `perKey` declines of a terminal and reasons in a minute one by one, and the first
    /// `unknownTIDs` of unknown TIDs; the rest are counted.
    public func limitDeclineLog(perKey: Int, unknownTIDs: Int) {
        sampling.withLock { $0 = DeclineSampling(perKey: perKey, unknownTIDs: unknownTIDs) }
    }

    /// Decides, and records the decision when it is a decline.
    public func screen(_ request: ScreeningRequest, pan: String?, channel: String, scope: Scope? = nil)
        -> ScreeningDecision
    {
        let decision = decide(request, scope: scope)
        guard !decision.approve else { return decision }
        let verdict = sampling.withLock {
            $0.admit(terminal: decision.terminalID, tid: request.tid, reasons: decision.reasons, at: request.at)
        }
        if case .count(let key) = verdict {
            counted.withLock { $0[key]?.count += 1 }
            return decision
        }
        let profile = decision.terminalID.flatMap { id in
            table.withLock { $0[request.tid].first { $0.terminalID == id } }
        }
        var tid = String(request.tid.prefix(16))
        var mid = String(request.mid.prefix(32))
        if case .recordAndCount(let key) = verdict, key.isOverflow {
            // This row counts declines of many unknown TIDs: naming one of them would mislead.
            (tid, mid) = ("*", "*")
        }
        let decline = ScreeningDecline(
            id: runtime.ids.next(), providerID: profile?.providerID ?? scope?.providerID,
            terminalID: decision.terminalID, tid: tid, mid: mid, at: request.at,
            amountMinor: request.amountMinor, currency: request.currency, panMasked: pan.flatMap(MaskedPAN.mask),
            responseCode: decision.responseCode, reasons: decision.reasons, channel: channel
        )
        if case .recordAndCount(let key) = verdict {
            counted.withLock { $0[key] = (decline.id, 0, 0) }
        }
        pending.withLock { $0.append(decline) }
        return decision
    }

    /// Writes the declines recorded since the last call and the counts of those only counted, and raises an
    /// alert for each payment tried on a stolen or suspected-stolen terminal. Returns how many rows were written.
    @discardableResult
    public func flush() async throws -> Int {
        let batch = pending.withLock { batch in
            defer { batch = [] }; return batch
        }
        let counts = counted.withLock { counted in
            Dictionary(uniqueKeysWithValues: counted.values.filter { $0.count > $0.written }.map { ($0.id, $0.count) })
        }
        guard !batch.isEmpty || !counts.isEmpty else { return 0 }
        let now = runtime.now()
        do {
            // Subjects are read before the transaction: with SQLite's one connection, reading inside it would wait
            // on itself.
            var stolen: [(ScreeningDecline, Terminal)] = []
            for d in batch where d.reasons.contains(.stolen) || d.reasons.contains(.suspectedStolen) {
                if let id = d.terminalID, let subject = try await memory.subject(id) {
                    stolen.append((d, subject.terminal))
                }
            }
            try await runtime.database.transaction { db in
                try await repository.insert(batch, on: db)
                try await repository.setSuppressed(counts, on: db)
                for (d, terminal) in stolen {
                    let card = d.panMasked.map { " with card \($0)" } ?? ""
                    let finding = Finding(
                        rule: .stolenTerminalUsed, severity: .critical,
                        message:
                            "payment of \(d.amountMinor) \(d.currency) (minor units)\(card) declined at \(d.channel)",
                        evidence: [], at: d.at)
                    _ = try await alertDesk.record([finding], for: terminal, at: now, on: db)
                }
            }
        } catch {
            pending.withLock { $0.insert(contentsOf: batch, at: 0) }
            throw error
        }
        counted.withLock { counted in
            let current = counted.keys.map(\.minute).max() ?? 0
            for (key, row) in counted {
                if let written = counts[row.id] { counted[key]?.written = written }
                // A past minute's count no longer grows once written.
                if key.minute < current - 1, counted[key].map({ $0.count == $0.written }) ?? false {
                    counted[key] = nil
                }
            }
        }
        return batch.count + counts.count
    }

    /// Deletes declines older than `days` days, in batches; answers how many went.
    @discardableResult
    public func prune(olderThan days: Int) async throws -> Int {
        let cutoff = runtime.now().addingTimeInterval(-Double(days) * 86_400)
        var deleted = 0
        while true {
            let batch = try await runtime.database.withConnection {
                try await repository.deleteDeclines(before: cutoff, limit: 5_000, on: $0)
            }
            deleted += batch
            if batch < 5_000 { return deleted }
        }
    }

    public func declines(terminal: UUID?, after cursor: Cursor?, limit: Int, by caller: Caller) async throws
        -> Page<ScreeningDecline>
    {
        try await runtime.database.withConnection {
            try await repository.declines(in: caller.scope, terminal: terminal, after: cursor, limit: limit, on: $0)
        }
    }

    /// Rebuilds the rows a change touched (the change feed calls this after every unit of work that made one).
    public func reload(_ change: ChangeFeed.Change) async throws {
        if change == .everything { return try await load() }
        let fresh = try await runtime.database.withConnection {
            try await repository.profiles(touchedBy: change, on: $0)
        }
        table.withLock { $0.replace(fresh) }
    }
}
