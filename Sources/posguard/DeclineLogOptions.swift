import ArgumentParser
import Foundation

/// How much of the screening decline log `serve` keeps: how many declines per terminal and minute are written
/// one by one, and for how long.
struct DeclineLogOptions: ParsableArguments {
    @Option(
        help:
            "Declines written one by one per terminal, reason and minute; the rest are counted in one row (default: $POSGUARD_DECLINES_PER_MINUTE or 10)."
    )
    var declinesPerMinute: Int?

    @Option(help: "Delete declines older than this many days (default: $POSGUARD_DECLINE_RETENTION_DAYS or 90).")
    var declineRetentionDays: Int?

    func validate() throws { _ = try settings() }

    /// Declines per key and minute, and the retention in days, checked.
    func settings() throws -> (perMinute: Int, retentionDays: Int) {
        let perMinute =
            try optionOrEnvironment(declinesPerMinute, "declines-per-minute", "POSGUARD_DECLINES_PER_MINUTE") ?? 10
        let days =
            try optionOrEnvironment(
                declineRetentionDays, "decline-retention-days", "POSGUARD_DECLINE_RETENTION_DAYS") ?? 90
        guard (1...10_000).contains(perMinute) else {
            throw ValidationError("--declines-per-minute must be between 1 and 10000, got \(perMinute)")
        }
        guard (1...36_500).contains(days) else {
            throw ValidationError("--decline-retention-days must be between 1 and 36500, got \(days)")
        }
        return (perMinute, days)
    }
}
