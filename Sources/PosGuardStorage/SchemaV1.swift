/// Version 1 of the schema: the organisation tree, the terminal registry with its lifecycle history,
/// users and their sessions, and the audit log. Written in the SQL both SQLite and PostgreSQL accept.
enum SchemaV1 {
    static let statements = [
        """
        CREATE TABLE providers (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL)
        """,
        "CREATE UNIQUE INDEX providers_name ON providers (name)",
        """
        CREATE TABLE merchants (
            id TEXT PRIMARY KEY, provider_id TEXT NOT NULL REFERENCES providers (id), name TEXT NOT NULL,
            security_contact_email TEXT, created_at BIGINT NOT NULL)
        """,
        "CREATE INDEX merchants_provider ON merchants (provider_id, id)",
        """
        CREATE TABLE stores (
            id TEXT PRIMARY KEY, provider_id TEXT NOT NULL REFERENCES providers (id),
            merchant_id TEXT NOT NULL REFERENCES merchants (id), code TEXT NOT NULL, name TEXT NOT NULL,
            address TEXT NOT NULL, city TEXT NOT NULL, country TEXT NOT NULL, time_zone TEXT NOT NULL,
            business_hours TEXT NOT NULL, geofence_latitude DOUBLE PRECISION NOT NULL,
            geofence_longitude DOUBLE PRECISION NOT NULL, geofence_radius_m DOUBLE PRECISION NOT NULL,
            created_at BIGINT NOT NULL)
        """,
        "CREATE UNIQUE INDEX stores_code ON stores (provider_id, code)",
        "CREATE INDEX stores_merchant ON stores (merchant_id, id)",
        """
        CREATE TABLE terminals (
            id TEXT PRIMARY KEY, provider_id TEXT NOT NULL REFERENCES providers (id),
            merchant_id TEXT NOT NULL REFERENCES merchants (id), store_id TEXT NOT NULL REFERENCES stores (id),
            make TEXT NOT NULL, model TEXT NOT NULL, serial TEXT NOT NULL, tid TEXT NOT NULL, mid TEXT NOT NULL,
            firmware_version TEXT, app_version TEXT, state TEXT NOT NULL,
            created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)
        """,
        "CREATE UNIQUE INDEX terminals_make_serial ON terminals (lower(make), serial)",
        "CREATE UNIQUE INDEX terminals_tid ON terminals (provider_id, tid)",
        "CREATE INDEX terminals_provider ON terminals (provider_id, id)",
        "CREATE INDEX terminals_provider_state ON terminals (provider_id, state, id)",
        "CREATE INDEX terminals_merchant ON terminals (merchant_id, id)",
        "CREATE INDEX terminals_merchant_state ON terminals (merchant_id, state, id)",
        "CREATE INDEX terminals_store ON terminals (store_id, state, id)",
        """
        CREATE TABLE terminal_transitions (
            id TEXT PRIMARY KEY, terminal_id TEXT NOT NULL REFERENCES terminals (id), from_state TEXT,
            to_state TEXT NOT NULL, at BIGINT NOT NULL, actor_id TEXT, actor TEXT NOT NULL, reason TEXT NOT NULL)
        """,
        "CREATE INDEX terminal_transitions_terminal ON terminal_transitions (terminal_id, id)",
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY, provider_id TEXT NOT NULL REFERENCES providers (id),
            merchant_id TEXT REFERENCES merchants (id), store_id TEXT REFERENCES stores (id),
            email TEXT NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL, locale TEXT NOT NULL,
            password_hash TEXT NOT NULL, totp_secret TEXT, totp_pending_secret TEXT,
            disabled BIGINT NOT NULL DEFAULT 0, created_at BIGINT NOT NULL)
        """,
        "CREATE UNIQUE INDEX users_email ON users (email)",
        "CREATE INDEX users_provider ON users (provider_id, id)",
        "CREATE INDEX users_merchant ON users (merchant_id, id)",
        "CREATE INDEX users_store ON users (store_id, id)",
        """
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id), created_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL, mfa_at BIGINT, revoked_at BIGINT, source TEXT)
        """,
        "CREATE INDEX sessions_user ON sessions (user_id)",
        """
        CREATE TABLE audit_log (
            id TEXT PRIMARY KEY, at BIGINT NOT NULL, provider_id TEXT, actor_id TEXT, actor TEXT NOT NULL,
            action TEXT NOT NULL, target_type TEXT NOT NULL, target_id TEXT, before TEXT, after TEXT, reason TEXT,
            source TEXT)
        """,
        "CREATE INDEX audit_log_provider ON audit_log (provider_id, id)",
        "CREATE INDEX audit_log_target ON audit_log (target_id, id)",
    ]
}
