import Foundation
import Synchronization

/// A clock the test moves by hand, so time-dependent rules are tested without waiting.
public final class TestClock: Sendable {
    private let current: Mutex<Date>

    public init(_ start: Date = Date(timeIntervalSince1970: 1_795_000_000)) { current = Mutex(start) }

    public var now: Date { current.withLock { $0 } }

    public func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }

    /// The clock as services take it.
    public var function: @Sendable () -> Date { { self.now } }
}
