/// Version 8 of the schema: a serial number is unique per provider and make, no longer across every
/// tenant (the same device in two providers' registries is a matter for the alliance, not a refusal that
/// tells one provider about another's fleet); and each store's detection memory, kept like a terminal's.
enum SchemaV8 {
    static let statements = [
        "DROP INDEX terminals_make_serial",
        // Serial before make: the registry looks serials up within a provider, whatever their make.
        "CREATE UNIQUE INDEX terminals_provider_serial ON terminals (provider_id, serial, lower(make))",
        """
        CREATE TABLE store_watch (
            store_id TEXT PRIMARY KEY REFERENCES stores (id), state TEXT NOT NULL, updated_at BIGINT NOT NULL)
        """,
    ]
}
