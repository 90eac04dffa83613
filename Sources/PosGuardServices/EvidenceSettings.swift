import Foundation

/// Where an instance keeps evidence files and how much and how long: `serve --evidence-dir`,
/// `--evidence-max-bytes`, `--evidence-retention-days`.
public struct EvidenceSettings: Sendable {
    /// The directory evidence files are kept in by their SHA-256. Instances sharing a PostgreSQL database
    /// must share it too (a network volume).
    public var directory: URL
    /// The largest file one upload may bring.
    public var maxBytes: Int64
    /// How many days after an incident closed its evidence files may be deleted.
    public var retentionDays: Int

    public static let defaultMaxBytes: Int64 = 256 << 20
    public static let defaultRetentionDays = 365

    public init(
        directory: URL, maxBytes: Int64 = defaultMaxBytes, retentionDays: Int = defaultRetentionDays
    ) {
        self.directory = directory
        self.maxBytes = maxBytes
        self.retentionDays = retentionDays
    }
}
