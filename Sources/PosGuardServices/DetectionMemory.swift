import Foundation
import PosGuardDomain
import PosGuardStorage
import Synchronization

/// Detection's memory: every terminal's watch state, every store's (refunds across its terminals) and the
/// context events are judged in, held in memory so an event is judged without a database round-trip.
/// Watches are restored from storage at start; contexts are loaded on first use and dropped whenever what
/// they were built from changes.
public final class DetectionMemory: Sendable {
    /// A terminal as detection sees it: where it belongs, and the context of its events.
    public struct Subject: Sendable {
        public var terminal: Terminal
        public var context: DetectionContext
    }

    let runtime: Runtime
    /// Held while one terminal's watch is read, judged and saved, so batches and the silence sweep never
    /// interleave on one terminal; and, keyed by store id, while a store's watch is (always taken after the
    /// terminal's, so two batches never wait on each other in a circle).
    let lock = KeyedLock<UUID>()
    private let watches = Mutex<[UUID: TerminalWatch]>([:])
    private let storeWatches = Mutex<[UUID: StoreWatch]>([:])
    private let facts: DetectionFacts
    /// Terminals first seen at once (after a start, or a change that dropped many contexts) are loaded together.
    private let loader: GroupCommit<UUID, Subject?>

    public init(runtime: Runtime) {
        self.runtime = runtime
        let facts = DetectionFacts()
        self.facts = facts
        loader = GroupCommit(database: runtime.database) { ids, db in try await Self.load(ids, facts: facts, on: db) }
        runtime.database.changes.listen { [weak facts] change in facts?.forget(change) }
    }

    /// Loads every saved watch; call once at start.
    public func restore() async throws {
        let (saved, stores) = try await runtime.database.withConnection {
            (try await EventRepository().allWatches(on: $0), try await EventRepository().allStoreWatches(on: $0))
        }
        // At a start nothing is held yet: what was saved is the memory, taken whole.
        watches.withLock { $0 = $0.isEmpty ? saved : $0.merging(saved) { _, stored in stored } }
        storeWatches.withLock { $0 = $0.isEmpty ? stores : $0.merging(stores) { _, stored in stored } }
    }

    /// Reads again from storage the memory of the stores in `slots` and of their terminals: a slot taken
    /// over from another instance is judged from what that instance last committed.
    func reload(slots: Set<Int>) async throws {
        let (saved, stores, storeOf) = try await runtime.database.withConnection {
            (
                try await EventRepository().allWatches(on: $0), try await EventRepository().allStoreWatches(on: $0),
                try await TerminalRepository().stores(on: $0)
            )
        }
        let taken = { (store: UUID?) in store.map { slots.contains(Slots.slot(of: $0)) } ?? false }
        watches.withLock { all in
            all = all.filter { !taken(storeOf[$0.key]) }.merging(saved.filter { taken(storeOf[$0.key]) }) { $1 }
        }
        storeWatches.withLock { all in
            all = all.filter { !taken($0.key) }.merging(stores.filter { taken($0.key) }) { $1 }
        }
    }

    public var watchCount: Int { watches.withLock { $0.count } }

    public func watch(of terminal: UUID) -> TerminalWatch { watches.withLock { $0[terminal] ?? TerminalWatch() } }

    func setWatch(_ watch: TerminalWatch, of terminal: UUID) { watches.withLock { $0[terminal] = watch } }

    public func storeWatch(of store: UUID) -> StoreWatch { storeWatches.withLock { $0[store] ?? StoreWatch() } }

    func setStoreWatch(_ watch: StoreWatch, of store: UUID) { storeWatches.withLock { $0[store] = watch } }

    /// Terminals the watchdog may have news about at `cutoff`: last heard from before it and not yet
    /// reported missing, last placed outside and without a fix since before it, or awaiting missing event
    /// numbers since before it.
    func due(_ cutoff: Date) -> [UUID] {
        watches.withLock { all in
            all.compactMap { id, w in
                if let seen = w.lastSeenAt, seen < cutoff, w.silence != .missing { return id }
                if w.isOffPremises, !w.fixSilenceReported, let fixed = w.lastFixSeenAt, fixed < cutoff { return id }
                if let since = w.ledger.missingSince, since < cutoff { return id }
                return nil
            }
        }
    }

    /// The terminal and its detection context, from memory or, the first time, from storage.
    public func subject(_ terminal: UUID) async throws -> Subject? {
        if let cached = facts.subject(terminal) { return cached }
        let generation = facts.generation
        let loaded = try await loader.run(terminal)
        if let loaded { facts.keep(subjects: [terminal: loaded], readSince: generation) }
        return loaded
    }

    /// The subjects of several terminals, read in a few statements for all of them — their stores' shares
    /// only for stores not held already; nil for an unknown terminal.
    static func load(_ ids: [UUID], facts: DetectionFacts, on db: UnitOfWork) async throws -> [Subject?] {
        let generation = facts.generation
        let terminals = try await TerminalRepository().find(ids, on: db)
        let stores = Set(terminals.values.map(\.storeID))
        var places = facts.places(stores)
        let read = try await Self.places(of: Array(stores.subtracting(places.keys)), on: db)
        facts.keep(places: read, readSince: generation)
        places.merge(read) { _, read in read }
        let overrides = try await DetectionRepository().overrides(of: Array(terminals.keys), on: db)
        return ids.map { id in
            guard let t = terminals[id], let place = places[t.storeID] else { return nil }
            let context = DetectionContext(
                terminal: t, store: place.store, roster: place.roster, merchantOverrides: place.merchantOverrides,
                storeOverrides: place.storeOverrides, terminalOverrides: overrides[t.id])
            return Subject(terminal: t, context: context)
        }
    }

    /// What the terminals of these stores share: each store, its roster, its and its merchant's overrides.
    private static func places(of ids: [UUID], on db: UnitOfWork) async throws -> [UUID: DetectionFacts.Place] {
        guard !ids.isEmpty else { return [:] }
        let stores = try await StoreRepository().find(ids, on: db)
        let detection = DetectionRepository()
        let rosters = try await detection.rosters(of: Array(stores.keys), on: db)
        let owners = Set(stores.values.flatMap { [$0.merchantID, $0.id] })
        let overrides = try await detection.overrides(of: Array(owners), on: db)
        return stores.mapValues { store in
            DetectionFacts.Place(
                store: store, roster: rosters[store.id] ?? [], merchantOverrides: overrides[store.merchantID],
                storeOverrides: overrides[store.id])
        }
    }
}
