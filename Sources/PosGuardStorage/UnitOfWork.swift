import Foundation
import SQLKit
import Synchronization

/// One piece of work on the database: the connection it runs on (inside a transaction, for
/// `Database.transaction`) and the changes its writes made to what in-memory state copies — terminals,
/// stores, merchants, their settings and rosters, agent keys.
///
/// Services receive a unit and hand it to repositories; they never see SQL. Repositories record the
/// changes they write, so no write path can forget to announce one: the database publishes them after
/// the unit commits (`ChangeFeed`), and through `NOTIFY` to every other instance on the same PostgreSQL.
public final class UnitOfWork: Sendable {
    /// The connection, for repositories (and, through the `SQL` SPI, for tests and benchmarks that look
    /// at rows directly).
    @_spi(SQL) public let sql: any SQLDatabase
    /// The same connection as the driver's (`rawRows`).
    let driver: DriverConnection
    private let recorded = Mutex<[ChangeFeed.Change]>([])

    init(_ sql: any SQLDatabase, driver: DriverConnection) {
        self.sql = sql
        self.driver = driver
    }

    /// Notes that this unit wrote something in-memory state copies.
    func changed(_ change: ChangeFeed.Change) {
        recorded.withLock { $0.append(change) }
    }

    /// Every change recorded, in order.
    var changes: [ChangeFeed.Change] { recorded.withLock { $0 } }
}
