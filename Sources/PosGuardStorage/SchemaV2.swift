/// Version 2 of the schema: live detection — enrollment codes and agent keys, the event log, each
/// terminal's detection memory, alerts, detection overrides, store rosters, and the command queue.
enum SchemaV2 {
    static let statements = [
        "ALTER TABLE terminals ADD COLUMN iccid TEXT",
        """
        CREATE TABLE enrollment_codes (
            code_hash TEXT PRIMARY KEY, terminal_id TEXT NOT NULL REFERENCES terminals (id),
            created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT, created_by TEXT NOT NULL)
        """,
        "CREATE INDEX enrollment_codes_terminal ON enrollment_codes (terminal_id)",
        """
        CREATE TABLE agent_keys (
            terminal_id TEXT PRIMARY KEY REFERENCES terminals (id), public_key TEXT NOT NULL,
            enrolled_at BIGINT NOT NULL)
        """,
        """
        CREATE TABLE events (
            terminal_id TEXT NOT NULL REFERENCES terminals (id), seq BIGINT NOT NULL, type TEXT NOT NULL,
            at BIGINT NOT NULL, received_at BIGINT NOT NULL, body TEXT NOT NULL, PRIMARY KEY (terminal_id, seq))
        """,
        """
        CREATE TABLE terminal_watch (
            terminal_id TEXT PRIMARY KEY REFERENCES terminals (id), state TEXT NOT NULL, updated_at BIGINT NOT NULL)
        """,
        """
        CREATE TABLE alerts (
            id TEXT PRIMARY KEY, provider_id TEXT NOT NULL, merchant_id TEXT NOT NULL, store_id TEXT NOT NULL,
            terminal_id TEXT NOT NULL REFERENCES terminals (id), rule TEXT NOT NULL, severity TEXT NOT NULL,
            status TEXT NOT NULL, message TEXT NOT NULL, occurrences BIGINT NOT NULL, evidence TEXT NOT NULL,
            first_at BIGINT NOT NULL, last_at BIGINT NOT NULL, acknowledged_at BIGINT, acknowledged_by TEXT,
            resolved_at BIGINT, resolved_by TEXT, resolution TEXT, false_positive BIGINT NOT NULL DEFAULT 0)
        """,
        "CREATE UNIQUE INDEX alerts_open ON alerts (terminal_id, rule) WHERE status <> 'resolved'",
        "CREATE INDEX alerts_provider ON alerts (provider_id, id)",
        "CREATE INDEX alerts_merchant ON alerts (merchant_id, id)",
        "CREATE INDEX alerts_store ON alerts (store_id, id)",
        "CREATE INDEX alerts_terminal ON alerts (terminal_id, id)",
        """
        CREATE TABLE detection_overrides (
            owner_id TEXT PRIMARY KEY, provider_id TEXT NOT NULL, level TEXT NOT NULL, overrides TEXT NOT NULL,
            updated_at BIGINT NOT NULL)
        """,
        """
        CREATE TABLE store_operators (
            store_id TEXT NOT NULL REFERENCES stores (id), operator_id TEXT NOT NULL, name TEXT NOT NULL,
            added_at BIGINT NOT NULL, PRIMARY KEY (store_id, operator_id))
        """,
        """
        CREATE TABLE commands (
            id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL REFERENCES terminals (id), type TEXT NOT NULL,
            payload TEXT NOT NULL, status TEXT NOT NULL, created_at BIGINT NOT NULL, created_by TEXT NOT NULL,
            reason TEXT NOT NULL)
        """,
        "CREATE INDEX commands_terminal ON commands (terminal_id, status, id)",
    ]
}
