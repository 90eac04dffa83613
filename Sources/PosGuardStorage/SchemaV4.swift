/// Version 4 of the schema: the screening gateway's decline log, and per-instance secrets (the key that
/// hashes card numbers).
enum SchemaV4 {
    static let statements = [
        """
        CREATE TABLE screening_declines (
            id TEXT PRIMARY KEY, provider_id TEXT, terminal_id TEXT, tid TEXT NOT NULL, mid TEXT NOT NULL,
            at BIGINT NOT NULL, amount_minor BIGINT NOT NULL, currency TEXT NOT NULL, pan_masked TEXT, pan_hash TEXT,
            response_code TEXT NOT NULL, reasons TEXT NOT NULL, channel TEXT NOT NULL)
        """,
        "CREATE INDEX screening_declines_provider ON screening_declines (provider_id, id)",
        "CREATE INDEX screening_declines_terminal ON screening_declines (terminal_id, id)",
        "CREATE TABLE instance_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL, created_at BIGINT NOT NULL)",
    ]
}
