import Foundation
import SQLKit

/// Ties a database to its master key, and leaves no secret in plain text: at every start the key is checked
/// against the value sealed at first use, and any secret still in plain text (written before secrets were
/// sealed) is sealed in place. The first start under a key is also the upgrade from a version that stored
/// agent events with card data in them; those are cleaned then (`CardDataScrub`). Audit entries written before the
/// log was sealed get their seals then too.
public enum SealedSecrets {
    static let keyCheckName = "master_key_check"
    static let keyCheckText = "posguard master key check"

    /// The key given is not the one this database's secrets are sealed under.
    public struct WrongKey: Error, CustomStringConvertible {
        public var description: String {
            "the master key does not match this database: its secrets were sealed under another key (the key check "
                + "in instance_secrets does not open). Start posguard with the key this database was first used "
                + "with — the same POSGUARD_MASTER_KEY or key file — and never a new one, or its TOTP, unlock and "
                + "webhook secrets are lost"
        }
    }

    /// Every column holding a secret, with the column naming its row and the purpose it is sealed for.
    static let columns: [(table: String, id: String, column: String, purpose: @Sendable (UUID) -> SecretBox.Purpose)] =
        [
            ("users", "id", "totp_secret", { .totp(user: $0) }),
            ("users", "id", "totp_pending_secret", { .pendingTOTP(user: $0) }),
            ("agent_keys", "terminal_id", "unlock_secret", { .unlock(terminal: $0) }),
            ("webhooks", "id", "secret", { .webhook($0) }),
        ]

    /// Whether a master key has been used with this database (its key check is stored).
    public static func hasKeyCheck(_ database: Database) async throws -> Bool {
        try await database.withSQL { try await keyCheck(on: $0) != nil }
    }

    /// Checks the key (storing the key check at first use), then seals every secret still in plain text.
    /// Returns how many secrets were sealed now.
    @discardableResult
    public static func adopt(_ box: SecretBox, in database: Database, at now: Date) async throws -> Int {
        try await database.sqlTransaction { db in
            if database.kind == .postgres {
                // Instances starting together on one PostgreSQL check and seal one at a time.
                try await db.raw("SELECT pg_advisory_xact_lock(8583002)").run()
            }
            if let stored = try await keyCheck(on: db) {
                guard (try? box.open(stored, for: .keyCheck)) == keyCheckText else { throw WrongKey() }
            } else {
                try await CardDataScrub.events(on: db)
                try await db.insert(into: "instance_secrets").columns("name", "value", "created_at")
                    .values(
                        SQLBind(keyCheckName), SQLBind(try box.seal(keyCheckText, for: .keyCheck)), SQLBind(now.millis)
                    )
                    .run()
            }
            var sealed = 0
            for (table, id, column, purpose) in columns {
                let rows = try await db.select().column(id).column(column).from(table)
                    .where(SQLColumn(column), .isNot, SQLLiteral.null)
                    .where(SQLColumn(column), .notLike, SQLBind(SecretBox.prefix + "%")).all()
                for row in rows {
                    let owner = try row.uuid(id)
                    let plain = try row.text(column)
                    try await db.update(table).set(column, to: try box.seal(plain, for: purpose(owner)))
                        .where(id, .equal, owner.key).run()
                    sealed += 1
                }
            }
            try await AuditRepository.sealUpgraded(with: box.auditSeal, on: db)
            return sealed
        }
    }

    static func keyCheck(on db: any SQLDatabase) async throws -> String? {
        try await db.select().column("value").from("instance_secrets").where("name", .equal, keyCheckName).first()?
            .text("value")
    }
}
