/// Version 3 of the schema: notifications — webhook subscriptions and their delivery log, and the email
/// outbox.
enum SchemaV3 {
    static let statements = [
        """
        CREATE TABLE webhooks (
            id TEXT PRIMARY KEY, provider_id TEXT NOT NULL REFERENCES providers (id), merchant_id TEXT,
            url TEXT NOT NULL, secret TEXT NOT NULL, minimum_severity TEXT NOT NULL, created_at BIGINT NOT NULL,
            deleted_at BIGINT)
        """,
        "CREATE INDEX webhooks_provider ON webhooks (provider_id, id)",
        """
        CREATE TABLE webhook_deliveries (
            id TEXT PRIMARY KEY, webhook_id TEXT NOT NULL REFERENCES webhooks (id), event_type TEXT NOT NULL,
            payload TEXT NOT NULL, status TEXT NOT NULL, attempts BIGINT NOT NULL, next_attempt_at BIGINT,
            last_status_code BIGINT, last_error TEXT, created_at BIGINT NOT NULL, delivered_at BIGINT)
        """,
        "CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at)",
        "CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id)",
        """
        CREATE TABLE email_outbox (
            id TEXT PRIMARY KEY, provider_id TEXT NOT NULL, recipient TEXT NOT NULL, subject TEXT NOT NULL,
            body TEXT NOT NULL, status TEXT NOT NULL, attempts BIGINT NOT NULL, next_attempt_at BIGINT,
            last_error TEXT, created_at BIGINT NOT NULL, sent_at BIGINT)
        """,
        "CREATE INDEX email_outbox_due ON email_outbox (status, next_attempt_at)",
    ]
}
