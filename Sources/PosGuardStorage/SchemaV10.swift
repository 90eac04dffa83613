/// Version 10 of the schema: the decline log is bounded. A decline row may stand for more declines of the same
/// terminal (or unknown TID) and reasons in its minute, counted in `suppressed` rather than written one by one,
/// and declines past the retention period are deleted by time, which the index on `at` makes cheap.
enum SchemaV10 {
    static let statements = [
        "ALTER TABLE screening_declines ADD COLUMN suppressed BIGINT NOT NULL DEFAULT 0",
        "CREATE INDEX screening_declines_at ON screening_declines (at)",
    ]
}
