/// Version 9 of the schema: the last TOTP time step each user spent, so a code works only once.
enum SchemaV9 {
    static let statements = [
        "ALTER TABLE users ADD COLUMN totp_last_step BIGINT"
    ]
}
