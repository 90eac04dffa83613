/// The background work an instance runs beside its servers. `serve` runs all of it; the tests run none and
/// call what they mean to run themselves, on their own clock.
public struct BackgroundJobs: OptionSet, Sendable {
    public let rawValue: Int

    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Raises alerts for terminals gone silent, every 30 seconds.
    public static let silenceSweep = BackgroundJobs(rawValue: 1 << 0)
    /// Sends due webhook deliveries, every 2 seconds.
    public static let webhookDeliveries = BackgroundJobs(rawValue: 1 << 1)
    /// Sends due alert emails, every 5 seconds (when an SMTP server is configured).
    public static let email = BackgroundJobs(rawValue: 1 << 2)
    /// Writes the screening declines kept in memory, every second.
    public static let declineLogFlush = BackgroundJobs(rawValue: 1 << 3)
    /// Deletes declines past the retention period, every hour.
    public static let declineRetention = BackgroundJobs(rawValue: 1 << 4)
    /// Hears the changes other instances sharing the PostgreSQL database make (nothing to hear on SQLite).
    public static let changeRelay = BackgroundJobs(rawValue: 1 << 5)
    /// Signs a checkpoint of the audit log when it grew, every minute.
    public static let auditCheckpoints = BackgroundJobs(rawValue: 1 << 6)
    /// Shares the slots of detection's memory with the other instances on the PostgreSQL database, every 2
    /// seconds (on SQLite this instance holds them all).
    public static let slotSharing = BackgroundJobs(rawValue: 1 << 7)

    public static let all: BackgroundJobs = [
        .silenceSweep, .webhookDeliveries, .email, .declineLogFlush, .declineRetention, .changeRelay,
        .auditCheckpoints, .slotSharing,
    ]
}
