/// Lets one log line through per `interval` and counts the ones held back, so that a flood of refused
/// connections cannot turn into a flood of log lines.
struct LogThrottle {
    let interval: Duration
    private var last: ContinuousClock.Instant?
    private var held = 0

    init(interval: Duration) { self.interval = interval }

    /// Nil when the line is to be held back; otherwise how many were held back since the last line let through.
    mutating func admit(at now: ContinuousClock.Instant) -> Int? {
        if let last, now - last < interval {
            held += 1
            return nil
        }
        defer { held = 0 }
        last = now
        return held
    }
}
