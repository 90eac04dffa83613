import Foundation
import PosGuardDomain
import PosGuardStorage
import Synchronization

/// What detection holds of the database's facts about terminals and their stores, read on first use and
/// dropped whenever what they were read from changes: each terminal's subject, and each store's place —
/// what all its terminals' contexts share. A terminal first heard from then costs a read of its own row and
/// overrides only, not of its store's, however many terminals of that store are first heard from after a
/// start.
///
/// Facts read while a change was published are not kept: a read that began before the change may hold what
/// it replaced (`generation`).
final class DetectionFacts: Sendable {
    /// What every terminal of a store is judged with besides its own facts.
    struct Place: Sendable, Equatable {
        var store: Store
        /// Operator ids on the store's roster.
        var roster: Set<String>
        var merchantOverrides: DetectionOverrides?
        var storeOverrides: DetectionOverrides?
    }

    private struct Held {
        var subjects: [UUID: DetectionMemory.Subject] = [:]
        var places: [UUID: Place] = [:]
        /// Counts the changes taken in; facts read since an earlier count may be stale.
        var generation = 0
    }

    private let held = Mutex(Held())

    /// Taken before facts are read, and given back to `keep` with them.
    var generation: Int { held.withLock { $0.generation } }

    func subject(_ terminal: UUID) -> DetectionMemory.Subject? { held.withLock { $0.subjects[terminal] } }

    /// The places held of these stores.
    func places(_ stores: some Sequence<UUID>) -> [UUID: Place] {
        held.withLock { held in
            var found: [UUID: Place] = [:]
            for store in stores { found[store] = held.places[store] }
            return found
        }
    }

    /// Keeps what was read since `generation`, unless a change came meanwhile.
    func keep(subjects: [UUID: DetectionMemory.Subject] = [:], places: [UUID: Place] = [:], readSince generation: Int) {
        held.withLock { held in
            guard held.generation == generation else { return }
            held.subjects.merge(subjects) { _, read in read }
            held.places.merge(places) { _, read in read }
        }
    }

    /// Drops what the change may have made stale.
    func forget(_ change: ChangeFeed.Change) {
        held.withLock { held in
            held.generation += 1
            switch change {
            case .terminal(let id):
                held.subjects[id] = nil
            case .store(let id):
                held.subjects = held.subjects.filter { $0.value.terminal.storeID != id }
                held.places[id] = nil
            case .merchant(let id):
                held.subjects = held.subjects.filter { $0.value.terminal.merchantID != id }
                held.places = held.places.filter { $0.value.store.merchantID != id }
            case .everything:
                held.subjects = [:]
                held.places = [:]
            }
        }
    }
}
