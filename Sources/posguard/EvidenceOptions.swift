import ArgumentParser
import Foundation
import PosGuardServices

/// Where `serve` keeps incidents' evidence files, how large one upload may be, and how long files are kept
/// after their incident closed.
struct EvidenceOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Directory for evidence files, kept by SHA-256 (default: $POSGUARD_EVIDENCE_DIR or <data-dir>/evidence; "
                + "instances sharing a PostgreSQL database must share it)."))
    var evidenceDir: String?

    @Option(help: "Largest evidence file one upload may bring, in bytes (default: 268435456, 256 MiB).")
    var evidenceMaxBytes: Int64 = EvidenceSettings.defaultMaxBytes

    @Option(help: "Days after an incident closed before a provider admin may delete its evidence files (default: 365).")
    var evidenceRetentionDays: Int = EvidenceSettings.defaultRetentionDays

    func validate() throws {
        guard evidenceMaxBytes >= 1 else { throw ValidationError("--evidence-max-bytes must be at least 1") }
        guard (1...36_500).contains(evidenceRetentionDays) else {
            throw ValidationError("--evidence-retention-days must be between 1 and 36500")
        }
    }

    /// The settings, the directory under `dataDir` unless given.
    func settings(dataDir: String) -> EvidenceSettings {
        let directory =
            evidenceDir ?? ProcessInfo.processInfo.environment["POSGUARD_EVIDENCE_DIR"].flatMap {
                $0.isEmpty ? nil : $0
            }
            ?? URL(fileURLWithPath: dataDir).appendingPathComponent("evidence").path
        return EvidenceSettings(
            directory: URL(fileURLWithPath: directory, isDirectory: true), maxBytes: evidenceMaxBytes,
            retentionDays: evidenceRetentionDays)
    }
}
