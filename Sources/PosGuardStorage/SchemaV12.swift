/// Version 12 of the schema: incidents and their response. An incident belongs to one store's tree like its
/// terminals; its tasks, its log (notes, task ends, notices, access grants) and the terminals' events frozen
/// when it opened hang off it. Providers keep their own response plans per incident type, and police liaison
/// officers are granted incidents one by one.
enum SchemaV12 {
    static let statements = [
        """
        CREATE TABLE incidents (
            id TEXT PRIMARY KEY, provider_id TEXT NOT NULL REFERENCES providers(id),
            merchant_id TEXT NOT NULL REFERENCES merchants(id), store_id TEXT NOT NULL REFERENCES stores(id),
            type TEXT NOT NULL, status TEXT NOT NULL, terminal_ids TEXT NOT NULL, alert_id TEXT,
            discovered_at BIGINT NOT NULL, place TEXT, reporter TEXT NOT NULL, description TEXT NOT NULL,
            police_report_number TEXT, police_station TEXT, lessons_learned TEXT,
            opened_at BIGINT NOT NULL, opened_by TEXT NOT NULL, closed_at BIGINT, closed_by TEXT)
        """,
        "CREATE INDEX incidents_provider ON incidents (provider_id, id)",
        """
        CREATE TABLE incident_tasks (
            id TEXT PRIMARY KEY, incident_id TEXT NOT NULL REFERENCES incidents(id), key TEXT NOT NULL,
            title TEXT NOT NULL, owner_role TEXT NOT NULL, due_at BIGINT NOT NULL, state TEXT NOT NULL, note TEXT,
            done_by TEXT, done_at BIGINT)
        """,
        "CREATE INDEX incident_tasks_incident ON incident_tasks (incident_id, id)",
        """
        CREATE TABLE incident_log (
            id TEXT PRIMARY KEY, incident_id TEXT NOT NULL REFERENCES incidents(id), at BIGINT NOT NULL,
            actor TEXT NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL)
        """,
        "CREATE INDEX incident_log_incident ON incident_log (incident_id, id)",
        """
        CREATE TABLE incident_frozen_events (
            incident_id TEXT NOT NULL REFERENCES incidents(id), terminal_id TEXT NOT NULL, seq BIGINT NOT NULL,
            type TEXT NOT NULL, at BIGINT NOT NULL, received_at BIGINT NOT NULL, body TEXT NOT NULL,
            PRIMARY KEY (incident_id, terminal_id, seq))
        """,
        """
        CREATE TABLE incident_templates (
            provider_id TEXT NOT NULL REFERENCES providers(id), type TEXT NOT NULL, steps TEXT NOT NULL,
            updated_at BIGINT NOT NULL, PRIMARY KEY (provider_id, type))
        """,
        """
        CREATE TABLE incident_access (
            incident_id TEXT NOT NULL REFERENCES incidents(id), user_id TEXT NOT NULL REFERENCES users(id),
            granted_by TEXT NOT NULL, granted_at BIGINT NOT NULL, PRIMARY KEY (incident_id, user_id))
        """,
    ]
}
