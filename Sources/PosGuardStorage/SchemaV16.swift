/// Version 16 of the schema: the instances sharing one database, and which of them holds each slot of
/// detection's memory (the holder also keeps a PostgreSQL advisory lock on it while it lives).
enum SchemaV16 {
    static let statements = [
        """
        CREATE TABLE instances (
            id TEXT PRIMARY KEY, address TEXT NOT NULL, started_at BIGINT NOT NULL, seen_at BIGINT NOT NULL)
        """,
        "CREATE TABLE slot_owners (slot BIGINT PRIMARY KEY, instance_id TEXT NOT NULL, since BIGINT NOT NULL)",
    ]
}
