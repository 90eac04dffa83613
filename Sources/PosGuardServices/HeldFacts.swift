import Synchronization

/// Facts a service holds of the database, read on first use and dropped when what they were read from
/// changes (the database's change feed). A read that began before a change was taken in may hold what the
/// change replaced: its request uses it, but it is not kept. `generation` counts the changes taken in; a
/// reader takes it before reading and gives it back to `keep`.
final class HeldFacts<Facts: Sendable>: Sendable {
    private struct State: Sendable {
        var facts: Facts
        var generation = 0
    }

    private let state: Mutex<State>

    init(_ facts: Facts) { state = Mutex(State(facts: facts)) }

    /// Taken before facts are read, and given back to `keep` with them.
    var generation: Int { state.withLock { $0.generation } }

    func read<Value: Sendable>(_ body: (Facts) -> Value) -> Value { state.withLock { body($0.facts) } }

    /// Keeps what was read since `generation`, unless a change came meanwhile.
    func keep(readSince generation: Int, _ add: (inout Facts) -> Void) {
        state.withLock { state in
            if state.generation == generation { add(&state.facts) }
        }
    }

    /// Takes in a change: drops what it may have made stale, and leaves every read in flight too old to keep.
    func forget(_ drop: (inout Facts) -> Void) {
        state.withLock { state in
            state.generation += 1
            drop(&state.facts)
        }
    }
}
