import Foundation

/// Slows down password guessing: after a few failed sign-ins the next attempt must wait, and the wait
/// doubles with every further failure, up to a ceiling. Kept per account and per source address.
public struct LoginThrottle: Sendable, Equatable {
    public struct Limits: Sendable, Equatable {
        /// Failures allowed before any wait is imposed.
        public var freeFailures: Int
        public var firstDelay: TimeInterval
        public var maximumDelay: TimeInterval
        /// Failures older than this are forgotten.
        public var window: TimeInterval

        public static let account = Limits(freeFailures: 5, firstDelay: 1, maximumDelay: 900, window: 3600)
        public static let address = Limits(freeFailures: 20, firstDelay: 1, maximumDelay: 900, window: 3600)

        public init(freeFailures: Int, firstDelay: TimeInterval, maximumDelay: TimeInterval, window: TimeInterval) {
            self.freeFailures = freeFailures
            self.firstDelay = firstDelay
            self.maximumDelay = maximumDelay
            self.window = window
        }
    }

    public private(set) var failures = 0
    public private(set) var lastFailure: Date?

    public init() {}

    /// A record as it was kept.
    public init(failures: Int, lastFailure: Date?) {
        self.failures = failures
        self.lastFailure = lastFailure
    }

    /// How long from `now` until another attempt is allowed; zero when it is allowed now.
    public func wait(at now: Date, limits: Limits) -> TimeInterval {
        guard let last = lastFailure, failures >= limits.freeFailures, now.timeIntervalSince(last) < limits.window
        else { return 0 }
        let exponent = min(failures - limits.freeFailures, 30)
        let delay = min(limits.firstDelay * pow(2, Double(exponent)), limits.maximumDelay)
        return max(0, last.addingTimeInterval(delay).timeIntervalSince(now))
    }

    public mutating func recordFailure(at now: Date, limits: Limits) {
        if let last = lastFailure, now.timeIntervalSince(last) >= limits.window { failures = 0 }
        failures += 1
        lastFailure = now
    }

    /// Takes back one failure: an attempt counted before its check turned out to be right.
    public mutating func forgiveOne() {
        failures = max(0, failures - 1)
    }

    /// Whether this record still matters at `now`, so that idle entries can be dropped.
    public func isStale(at now: Date, limits: Limits) -> Bool {
        guard let last = lastFailure else { return true }
        return now.timeIntervalSince(last) >= limits.window
    }
}
