import Foundation
import Synchronization

/// Tells in-memory state (screening's table, detection's contexts, agent identities) that something it
/// copied from the database has changed, so it reloads instead of judging with stale facts.
///
/// Nobody publishes by hand: repositories record the changes they write in their `UnitOfWork`, and the
/// database publishes them once the unit has committed (`Database.transaction`). Listeners are awaited, so
/// when a write returns, everything in this instance already sees it.
public final class ChangeFeed: Sendable {
    public enum Change: Sendable, Hashable {
        case merchant(UUID)
        case store(UUID)
        case terminal(UUID)
        /// Anything may have changed (a notification may have been missed, or a unit changed a great deal):
        /// reload everything.
        case everything

        /// `terminal:<uuid>`, as it travels between instances.
        public var text: String {
            switch self {
            case .merchant(let id): "merchant:\(id.uuidString)"
            case .store(let id): "store:\(id.uuidString)"
            case .terminal(let id): "terminal:\(id.uuidString)"
            case .everything: "everything"
            }
        }

        public init?(text: String) {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            switch (parts.first, parts.count == 2 ? UUID(uuidString: parts[1]) : nil) {
            case ("merchant", let id?): self = .merchant(id)
            case ("store", let id?): self = .store(id)
            case ("terminal", let id?): self = .terminal(id)
            case ("everything", nil): self = .everything
            default: return nil
            }
        }
    }

    public typealias Listener = @Sendable (Change) async -> Void

    /// Tells this instance's notifications from other instances'.
    public let instance = UUID()

    private let listeners = Mutex<[Listener]>([])

    public init() {}

    public func listen(_ listener: @escaping Listener) {
        listeners.withLock { $0.append(listener) }
    }

    /// Hands each change to every listener in turn, and returns once all have taken it in.
    public func publish(_ changes: [Change]) async {
        let listeners = listeners.withLock { $0 }
        for change in changes {
            for listener in listeners { await listener(change) }
        }
    }

    /// Above this many changes in one unit, listeners reload everything once rather than row by row.
    static let wholesale = 64

    /// The changes of one unit as they are published: each once, in the order first recorded, or
    /// `everything` when there are many.
    static func condensed(_ recorded: [Change]) -> [Change] {
        var seen: Set<Change> = []
        let unique = recorded.filter { seen.insert($0).inserted }
        return unique.count > wholesale || unique.contains(.everything) ? [.everything] : unique
    }
}
