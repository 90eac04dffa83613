/// Version 15 of the schema: the sign-in throttle in the database, so that every instance on one database
/// counts the same failures (N instances must not give an attacker N times the guesses).
enum SchemaV15 {
    static let statements = [
        """
        CREATE TABLE login_throttles (
            key TEXT PRIMARY KEY, failures BIGINT NOT NULL, last_failure BIGINT)
        """,
        """
        CREATE TABLE login_known (
            account TEXT NOT NULL, address TEXT NOT NULL, at BIGINT NOT NULL, PRIMARY KEY (account, address))
        """,
        "CREATE INDEX login_known_at ON login_known (at)",
    ]
}
