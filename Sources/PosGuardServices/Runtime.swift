import Foundation
import PosGuardStorage

/// What every service takes from outside itself: the database, the master key that seals its secrets, the
/// current time and fresh ids. Tests pass a fixed clock and a random key; the server passes the system's
/// clock and the key from `MasterKey`.
public struct Runtime: Sendable {
    public let database: Database
    public let secrets: SecretBox
    public let now: @Sendable () -> Date
    public let ids: IDGenerator

    public init(database: Database, secrets: SecretBox, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.secrets = secrets
        self.now = now
        self.ids = IDGenerator(now: now)
    }
}
