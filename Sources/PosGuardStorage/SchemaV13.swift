/// Version 13 of the schema: an incident's evidence. Each file's record (who collected it, when and where,
/// who brought it in, its SHA-256, size and media type; the file itself lies in the evidence directory under
/// its hash) and its chain of custody: every upload, download, hand-over and deletion.
enum SchemaV13 {
    static let statements = [
        """
        CREATE TABLE incident_evidence (
            id TEXT PRIMARY KEY, incident_id TEXT NOT NULL REFERENCES incidents(id),
            provider_id TEXT NOT NULL REFERENCES providers(id), file_name TEXT NOT NULL, media_type TEXT NOT NULL,
            size BIGINT NOT NULL, sha256 TEXT NOT NULL, description TEXT, collected_by TEXT, collected_at BIGINT,
            place TEXT, uploaded_by TEXT NOT NULL, uploaded_at BIGINT NOT NULL, deleted_at BIGINT, deleted_by TEXT)
        """,
        "CREATE INDEX incident_evidence_incident ON incident_evidence (incident_id, id)",
        "CREATE INDEX incident_evidence_sha256 ON incident_evidence (sha256)",
        """
        CREATE TABLE evidence_custody (
            id TEXT PRIMARY KEY, evidence_id TEXT NOT NULL REFERENCES incident_evidence(id),
            incident_id TEXT NOT NULL REFERENCES incidents(id), at BIGINT NOT NULL, actor TEXT NOT NULL,
            action TEXT NOT NULL, from_holder TEXT, to_holder TEXT, purpose TEXT)
        """,
        "CREATE INDEX evidence_custody_evidence ON evidence_custody (evidence_id, id)",
        "CREATE INDEX evidence_custody_incident ON evidence_custody (incident_id, id)",
    ]
}
