import Foundation
import PosGuardStorage
import SQLKit

/// What every service takes from outside itself: the database, the master key that seals its secrets, the
/// current time and fresh ids. Tests pass a fixed clock and a random key; the server passes the system's
/// clock and the key from `MasterKey`.
public struct Runtime: Sendable {
    public let database: Database
    public let secrets: SecretBox
    public let now: @Sendable () -> Date
    public let ids: IDGenerator
    public let changes = ChangeFeed()

    public init(database: Database, secrets: SecretBox, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.secrets = secrets
        self.now = now
        self.ids = IDGenerator(now: now)
    }
}

extension Runtime {
    /// Runs `body` in one transaction and, once it has committed, announces `change`.
    func committing<T>(_ change: ChangeFeed.Change, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        let result = try await database.transaction(body)
        await announce(change)
        return result
    }

    /// The channel on which instances sharing one PostgreSQL tell each other of changes.
    static let changeChannel = "posguard_changes"

    /// Tells this instance's in-memory state of a committed change, and every other instance on the same
    /// PostgreSQL. A lost notification is healed by the full resync each listener does when it (re)connects.
    func announce(_ change: ChangeFeed.Change) async {
        changes.publish(change)
        try? await database.notify(Self.changeChannel, "\(changes.instance.uuidString)|\(change.text)")
    }
}
