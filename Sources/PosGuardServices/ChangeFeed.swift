import Foundation
import Synchronization

/// Tells in-memory state (detection contexts, agent identities) that something it copied from the
/// database has changed, so it reloads instead of judging with stale facts.
public final class ChangeFeed: Sendable {
    public enum Change: Sendable, Equatable {
        case merchant(UUID)
        case store(UUID)
        case terminal(UUID)
        /// Anything may have changed (a notification may have been missed): reload everything.
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

    /// Tells this instance's notifications from other instances'.
    public let instance = UUID()

    private let listeners = Mutex<[@Sendable (Change) -> Void]>([])

    public init() {}

    public func listen(_ listener: @escaping @Sendable (Change) -> Void) {
        listeners.withLock { $0.append(listener) }
    }

    public func publish(_ change: Change) {
        for listener in listeners.withLock({ $0 }) { listener(change) }
    }
}
