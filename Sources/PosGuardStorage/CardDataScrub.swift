import Foundation
import PosGuardDomain
import SQLKit

/// Removes card data an earlier version stored before it refused card data: agent events were kept as sent,
/// under whatever keys they carried, and served back. Runs once per database, at its first start under a
/// master key (`SealedSecrets.adopt`), which is the upgrade from such a version.
enum CardDataScrub {
    static let batch = 1000

    /// Rewrites every stored event holding card data with that data removed; returns how many.
    @discardableResult
    static func events(on db: any SQLDatabase) async throws -> Int {
        var scrubbed = 0
        var after: (terminal: String, seq: Int64) = ("", 0)
        while true {
            let rows = try await db.raw(
                """
                SELECT terminal_id, seq, body FROM events
                WHERE terminal_id > \(bind: after.terminal) OR (terminal_id = \(bind: after.terminal) AND seq > \(bind: after.seq))
                ORDER BY terminal_id, seq LIMIT \(unsafeRaw: String(batch))
                """
            ).all()
            for row in rows {
                let body = try row.text("body")
                guard let value = try? JSONValue.parse(Array(body.utf8)), CardDataScan.containsCardData(value) else {
                    continue
                }
                try await db.update("events").set("body", to: CardDataScan.redacted(value).text)
                    .where("terminal_id", .equal, try row.text("terminal_id")).where("seq", .equal, try row.int("seq"))
                    .run()
                scrubbed += 1
            }
            guard let last = rows.last, rows.count == batch else { return scrubbed }
            after = (try last.text("terminal_id"), try last.int("seq"))
        }
    }
}
