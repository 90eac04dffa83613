/// Version 6 of the schema: each enrolled terminal's unlock secret, for offline unlock codes.
enum SchemaV6 {
    static let statements = [
        "ALTER TABLE agent_keys ADD COLUMN unlock_secret TEXT"
    ]
}
