import Foundation
import PosGuardDomain
@_spi(SQL) import PosGuardStorage
import PosGuardTestSupport
import SQLKit
import Testing

/// A group's events are written in one statement built as text and run on the driver: what is stored is what
/// was sent, a resent event is left as first stored, and a statement the database refuses is an error (which
/// the group commit answers by retrying each batch alone), never a silent loss.
@Suite("Event writes")
struct EventWritesTests {
    @Test(arguments: TestDatabase.available)
    func eventsAreStoredOnceAndARefusedStatementIsAnError(kind: TestDatabase) async throws {
        try await kind.withMigrated { db in
            let tenant = try await DemoTenant.load(on: db)
            let terminal = try await tenant.allTerminals(try await tenant.caller("admin@harbour.demo"))[0].id
            let at = Date(timeIntervalSince1970: 1_795_000_000)
            func event(_ seq: Int64, of id: UUID = terminal, body: String) -> StoredEvent {
                StoredEvent(terminalID: id, seq: seq, type: "tamper", at: at, receivedAt: at, body: body)
            }
            let events = EventRepository()
            try await db.transaction {
                try await events.insert(
                    [event(1, body: #"{"sensor":"case"}"#), event(2, body: #"{"note":"it's \"quoted\""}"#)], on: $0)
            }
            try await db.transaction { try await events.insert([event(2, body: #"{"sensor":"resent"}"#)], on: $0) }
            let stored = try await db.withSQL { sql in
                try await sql.raw(
                    "SELECT seq, body, at FROM events WHERE terminal_id = \(bind: terminal.key) ORDER BY seq"
                ).all().map {
                    (
                        try $0.decode(column: "seq", as: Int64.self), try $0.decode(column: "body", as: String.self),
                        try $0.decode(column: "at", as: Int64.self)
                    )
                }
            }
            #expect(stored.map(\.0) == [1, 2])
            #expect(stored.map(\.1) == [#"{"sensor":"case"}"#, #"{"note":"it's \"quoted\""}"#])
            #expect(stored.allSatisfy { $0.2 == at.millis })

            // An event of no terminal breaks the foreign key: the whole statement is refused, and said so.
            await #expect(throws: (any Error).self) {
                try await db.transaction {
                    try await events.insert([event(3, body: "{}"), event(1, of: UUID(), body: "{}")], on: $0)
                }
            }
            let count = try await db.withSQL { sql in
                try await sql.raw("SELECT COUNT(*) AS n FROM events WHERE terminal_id = \(bind: terminal.key)").first()?
                    .decode(column: "n", as: Int.self)
            }
            #expect(count == 2)
        }
    }
}
