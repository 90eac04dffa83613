/// Version 7 of the schema: declines keep only the masked card number. A keyed hash stored beside the first
/// six and last four digits, with its key in the same database, gave the whole number back in seconds, so the
/// hashes are scrubbed, their column dropped and the key deleted. Other secrets are sealed under the master
/// key, which never enters the database (`SealedSecrets`).
enum SchemaV7 {
    static let statements = [
        "UPDATE screening_declines SET pan_hash = NULL",
        "ALTER TABLE screening_declines DROP COLUMN pan_hash",
        "DELETE FROM instance_secrets WHERE name = 'pan_hash_key'",
    ]
}
