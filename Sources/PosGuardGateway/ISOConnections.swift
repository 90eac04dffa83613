import Logging
import Synchronization

/// The gateway's open connections, counted overall and per source address against the limits, with what was
/// refused or closed and how many answer bytes wait for clients: the figures an operator or a test reads.
public final class ISOConnections: Sendable {
    /// A reading of the counters.
    public struct Statistics: Sendable, Equatable {
        public var open = 0
        /// Answer bytes written by the gateway and not yet taken by the clients' sockets, over all connections.
        public var bufferedBytes = 0
        /// The most `bufferedBytes` has been since start.
        public var peakBufferedBytes = 0
        public var refusedOverall = 0
        public var refusedPerAddress = 0
        public var closedIdle = 0
        public var closedInFrame = 0
        /// Connections closed on arrival because the process had no file descriptor left for them.
        public var closedOutOfDescriptors = 0
    }

    private struct State {
        var statistics = Statistics()
        var perAddress: [String: Int] = [:]
        var refusals = LogThrottle(interval: .seconds(10))
        var exhaustion = LogThrottle(interval: .seconds(10))
    }

    public let limits: ISOGatewayLimits
    private let logger: Logger
    private let state = Mutex(State())

    init(limits: ISOGatewayLimits, logger: Logger) {
        self.limits = limits
        self.logger = logger
    }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Counts a new connection from `address` in, or answers false when a limit is reached (and says so in the
    /// log, one line per 10 seconds at most).
    func admit(_ address: String) -> Bool {
        let refusal: String? = state.withLock { state in
            let fromAddress = state.perAddress[address, default: 0]
            let reason: String
            if state.statistics.open >= limits.maxConnections {
                state.statistics.refusedOverall += 1
                reason =
                    "\(state.statistics.open) connections open (--iso8583-max-connections \(limits.maxConnections))"
            } else if fromAddress >= limits.maxConnectionsPerAddress {
                state.statistics.refusedPerAddress += 1
                reason =
                    "\(fromAddress) connections open from that address "
                    + "(--iso8583-max-connections-per-address \(limits.maxConnectionsPerAddress))"
            } else {
                state.statistics.open += 1
                state.perAddress[address] = fromAddress + 1
                return nil
            }
            guard let held = state.refusals.admit(at: .now) else { return "" }
            return reason + (held > 0 ? "; \(held) more refused since the last such line" : "")
        }
        guard let refusal else { return true }
        if !refusal.isEmpty { logger.warning("ISO 8583: refused a connection from \(address): \(refusal)") }
        return false
    }

    /// Counts a connection admitted by `admit` out.
    func release(_ address: String) {
        state.withLock { state in
            state.statistics.open -= 1
            let left = state.perAddress[address, default: 1] - 1
            state.perAddress[address] = left > 0 ? left : nil
        }
    }

    func buffered(_ delta: Int) {
        state.withLock {
            $0.statistics.bufferedBytes += delta
            $0.statistics.peakBufferedBytes = max($0.statistics.peakBufferedBytes, $0.statistics.bufferedBytes)
        }
    }

    func closedIdle() { state.withLock { $0.statistics.closedIdle += 1 } }

    func closedInFrame() { state.withLock { $0.statistics.closedInFrame += 1 } }

    func outOfDescriptors() {
        let held = state.withLock {
            $0.statistics.closedOutOfDescriptors += 1
            return $0.exhaustion.admit(at: .now)
        }
        guard let held else { return }
        let more = held > 0 ? "; \(held) more since the last such line" : ""
        logger.error(
            "ISO 8583: the process has no file descriptor left (ulimit -n); a new connection was closed at once\(more)")
    }
}
