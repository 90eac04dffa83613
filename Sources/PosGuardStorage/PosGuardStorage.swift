/// PosGuard's storage: one dialect-neutral SQLKit implementation for SQLite (the embedded default) and
/// PostgreSQL, versioned migrations, and repositories whose every read of tenant data takes a `Scope`.
/// Ids are stored as text, times as integer milliseconds since 1970, so both dialects behave the same.
public enum PosGuardStorage {}
