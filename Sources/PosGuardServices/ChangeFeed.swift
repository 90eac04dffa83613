import Foundation
import Synchronization

/// Tells in-memory state (detection contexts, agent identities) that something it copied from the
/// database has changed, so it reloads instead of judging with stale facts.
public final class ChangeFeed: Sendable {
    public enum Change: Sendable, Equatable {
        case merchant(UUID)
        case store(UUID)
        case terminal(UUID)
    }

    private let listeners = Mutex<[@Sendable (Change) -> Void]>([])

    public init() {}

    public func listen(_ listener: @escaping @Sendable (Change) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    public func publish(_ change: Change) {
        for listener in listeners.withLock({ $0 }) { listener(change) }
    }
}
