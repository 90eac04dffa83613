import Foundation
import PosGuardDomain
import PosGuardStorage

/// What detection holds of the database's facts about terminals and their stores, read on first use and
/// dropped whenever what they were read from changes: each terminal's subject, and each store's place —
/// what all its terminals' contexts share. A terminal first heard from then costs a read of its own row and
/// overrides only, not of its store's, however many terminals of that store are first heard from after a
/// start.
///
/// Facts read while a change was published are not kept (`HeldFacts`).
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
    }

    private let held = HeldFacts(Held())

    /// Taken before facts are read, and given back to `keep` with them.
    var generation: Int { held.generation }

    func subject(_ terminal: UUID) -> DetectionMemory.Subject? { held.read { $0.subjects[terminal] } }

    /// The places held of these stores.
    func places(_ stores: some Sequence<UUID>) -> [UUID: Place] {
        held.read { held in
            var found: [UUID: Place] = [:]
            for store in stores { found[store] = held.places[store] }
            return found
        }
    }

    /// Keeps what was read since `generation`, unless a change came meanwhile.
    func keep(subjects: [UUID: DetectionMemory.Subject] = [:], places: [UUID: Place] = [:], readSince generation: Int) {
        held.keep(readSince: generation) { held in
            held.subjects.merge(subjects) { _, read in read }
            held.places.merge(places) { _, read in read }
        }
    }

    /// Drops what the change may have made stale.
    func forget(_ change: ChangeFeed.Change) {
        held.forget { held in
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
