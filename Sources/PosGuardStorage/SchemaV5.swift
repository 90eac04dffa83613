/// Version 5 of the schema: remote commands track delivery and acknowledgement.
enum SchemaV5 {
    static let statements = [
        "ALTER TABLE commands ADD COLUMN expires_at BIGINT",
        "ALTER TABLE commands ADD COLUMN delivered_at BIGINT",
        "ALTER TABLE commands ADD COLUMN deliveries BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE commands ADD COLUMN acknowledged_at BIGINT",
        "ALTER TABLE commands ADD COLUMN detail TEXT",
        "UPDATE commands SET expires_at = created_at + 604800000",
    ]
}
