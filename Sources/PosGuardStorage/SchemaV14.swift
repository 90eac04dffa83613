/// Version 14 of the schema: an incident's impact and the recovery of its terminals. The incident keeps its
/// look-back (how long before discovery the theft may have happened) and the stolen terminals' value; the
/// merchant's contacts for the affected customers are kept by masked card only; a recovered terminal's
/// inspections are kept with the checklist and who signed it off.
enum SchemaV14 {
    static let statements = [
        "ALTER TABLE incidents ADD COLUMN look_back_hours BIGINT NOT NULL DEFAULT 24",
        "ALTER TABLE incidents ADD COLUMN terminal_value_minor BIGINT NOT NULL DEFAULT 0",
        "ALTER TABLE incidents ADD COLUMN terminal_value_currency TEXT NOT NULL DEFAULT 'EUR'",
        """
        CREATE TABLE incident_customers (
            incident_id TEXT NOT NULL REFERENCES incidents(id), card TEXT NOT NULL, email TEXT NOT NULL,
            name TEXT, updated_by TEXT NOT NULL, updated_at BIGINT NOT NULL, PRIMARY KEY (incident_id, card))
        """,
        """
        CREATE TABLE terminal_inspections (
            id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL REFERENCES terminals(id), checklist TEXT NOT NULL,
            expected_firmware TEXT, failures TEXT NOT NULL, notes TEXT, inspected_by TEXT NOT NULL,
            inspected_at BIGINT NOT NULL)
        """,
        "CREATE INDEX terminal_inspections_terminal ON terminal_inspections (terminal_id, id)",
    ]
}
