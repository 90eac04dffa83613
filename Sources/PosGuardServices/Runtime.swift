import Foundation
import PosGuardStorage

/// What every service takes from outside itself: the database, the current time and fresh ids.
/// Tests pass a fixed clock; the server passes the system's.
public struct Runtime: Sendable {
    public let database: Database
    public let now: @Sendable () -> Date
    public let ids: IDGenerator

    public init(database: Database, now: @escaping @Sendable () -> Date = { Date() }) {
        self.database = database
        self.now = now
        self.ids = IDGenerator(now: now)
    }
}
