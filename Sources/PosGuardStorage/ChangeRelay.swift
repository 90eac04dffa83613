import Foundation
import Logging

/// Keeps instances that share one PostgreSQL consistent: listens for the changes the others' units of work
/// announce and publishes them on this instance's feed. Each time it (re)connects it first has everything
/// reloaded, so a notification missed while disconnected is never a stale decision. Does nothing on SQLite
/// (one instance).
public struct ChangeRelay: Sendable {
    let database: Database
    let logger: Logger

    public init(database: Database, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Runs until cancelled, reconnecting after a second when the connection fails.
    public func run(onListening: @escaping @Sendable () async -> Void = {}) async {
        guard database.kind == .postgres else { return }
        let changes = database.changes
        let own = changes.instance.uuidString
        while !Task.isCancelled {
            do {
                try await database.listen(
                    Database.changeChannel,
                    onListening: {
                        await changes.publish([.everything])
                        await onListening()
                    }
                ) { payload in
                    let parts = payload.split(separator: "|", maxSplits: 1).map(String.init)
                    guard parts.count == 2, parts[0] != own else { return }
                    await changes.publish(
                        parts[1].split(separator: ",").compactMap { ChangeFeed.Change(text: String($0)) })
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("change relay lost its connection; reconnecting", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
