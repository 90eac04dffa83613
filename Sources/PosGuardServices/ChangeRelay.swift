import Foundation
import Logging
import PosGuardStorage

/// Keeps instances that share one PostgreSQL consistent: listens for the changes the others announce and
/// publishes them here. Each time it (re)connects it first has everything reloaded, so a notification
/// missed while disconnected is never a stale decision. Does nothing on SQLite (one instance).
public struct ChangeRelay: Sendable {
    let runtime: Runtime
    let logger: Logger

    public init(runtime: Runtime, logger: Logger) {
        self.runtime = runtime
        self.logger = logger
    }

    /// Runs until cancelled, reconnecting after a second when the connection fails.
    public func run(onListening: @escaping @Sendable () async -> Void = {}) async {
        guard runtime.database.kind == .postgres else { return }
        let changes = runtime.changes
        let own = changes.instance.uuidString
        while !Task.isCancelled {
            do {
                try await runtime.database.listen(
                    Runtime.changeChannel,
                    onListening: {
                        changes.publish(.everything)
                        await onListening()
                    }
                ) { payload in
                    let parts = payload.split(separator: "|", maxSplits: 1).map(String.init)
                    guard parts.count == 2, parts[0] != own, let change = ChangeFeed.Change(text: parts[1]) else {
                        return
                    }
                    changes.publish(change)
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("change relay lost its connection; reconnecting", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
