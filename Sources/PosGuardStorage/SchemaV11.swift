/// Version 11 of the schema: the audit log becomes a tamper-evident log. Each entry gets its place (`leaf_index`,
/// counted from 0 without gaps), its RFC 6962 leaf hash and its seal (`AuditSeal`); `audit_tree` holds the one
/// counter that hands out places inside the writing transaction, and `audit_checkpoints` the signed checkpoints
/// with the tree's right edge at each. Entries already written take their places in id order; their hashes and
/// seals need the master key, so they are written at the next start (`SealedSecrets`), up to `unsealed`.
enum SchemaV11 {
    static let statements = [
        "ALTER TABLE audit_log ADD COLUMN leaf_index BIGINT",
        "ALTER TABLE audit_log ADD COLUMN leaf_hash TEXT",
        "ALTER TABLE audit_log ADD COLUMN seal TEXT",
        """
        UPDATE audit_log SET leaf_index = ranked.n
        FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) - 1 AS n FROM audit_log) AS ranked
        WHERE audit_log.id = ranked.id
        """,
        "CREATE UNIQUE INDEX audit_log_leaf ON audit_log (leaf_index)",
        "CREATE TABLE audit_tree (id BIGINT PRIMARY KEY, size BIGINT NOT NULL, unsealed BIGINT NOT NULL)",
        "INSERT INTO audit_tree (id, size, unsealed) SELECT 1, COUNT(*), COUNT(*) FROM audit_log",
        """
        CREATE TABLE audit_checkpoints (
            size BIGINT PRIMARY KEY, note TEXT NOT NULL, frontier TEXT NOT NULL, created_at BIGINT NOT NULL)
        """,
    ]
}
