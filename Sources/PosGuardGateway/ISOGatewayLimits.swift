#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What one client may take of the gateway: how long a connection may stay silent or sit in the middle of a
/// frame, how many connections may be open at once overall and from one address, and how many answers may
/// wait for a client that does not read them before the gateway stops reading its requests.
public struct ISOGatewayLimits: Sendable, Equatable {
    /// A connection that sends nothing for this long is closed.
    public var idleTimeout: Duration
    /// A frame whose first byte has arrived must be complete within this time, or the connection is closed.
    public var frameTimeout: Duration
    /// Connections open at once; more are accepted and closed at once.
    public var maxConnections: Int
    /// Connections open at once from one source address.
    public var maxConnectionsPerAddress: Int
    /// Answers waiting to be written past this many bytes stop the gateway reading from that connection until
    /// they have drained below `writeBufferLow`.
    public var writeBufferHigh: Int
    public var writeBufferLow: Int

    public static let standard = ISOGatewayLimits(
        idleTimeout: .seconds(60), frameTimeout: .seconds(10), maxConnections: 512, maxConnectionsPerAddress: 64)

    public init(
        idleTimeout: Duration, frameTimeout: Duration, maxConnections: Int, maxConnectionsPerAddress: Int,
        writeBufferHigh: Int = 64 * 1024, writeBufferLow: Int = 16 * 1024
    ) {
        self.idleTimeout = idleTimeout
        self.frameTimeout = frameTimeout
        self.maxConnections = maxConnections
        self.maxConnectionsPerAddress = maxConnectionsPerAddress
        self.writeBufferHigh = writeBufferHigh
        self.writeBufferLow = writeBufferLow
    }

    /// The limits fitted to a process that may hold `descriptors` open files: at most half of them for ISO 8583
    /// connections, so the HTTP API, the health checks and the database keep the other half however hard the
    /// gateway is flooded. The warning says what was lowered, for the log.
    public func fitted(toDescriptors descriptors: Int) -> (limits: ISOGatewayLimits, warning: String?) {
        let ceiling = max(1, descriptors / 2)
        guard maxConnections > ceiling else { return (self, nil) }
        var fitted = self
        fitted.maxConnections = ceiling
        fitted.maxConnectionsPerAddress = min(maxConnectionsPerAddress, ceiling)
        return (
            fitted,
            "ISO 8583: --iso8583-max-connections lowered from \(maxConnections) to \(ceiling): the process may open "
                + "only \(descriptors) files (ulimit -n), and half of them are kept for HTTP and the database"
        )
    }

    /// How many files this process may open (the soft `RLIMIT_NOFILE`), or nil when it cannot be read or is
    /// unlimited.
    public static func descriptorLimit() -> Int? {
        var limit = rlimit()
        #if canImport(Glibc)
            guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        #else
            guard getrlimit(RLIMIT_NOFILE, &limit) == 0 else { return nil }
        #endif
        // RLIM_INFINITY is all ones, past `Int.max`.
        guard limit.rlim_cur < rlim_t(Int.max) else { return nil }
        return Int(limit.rlim_cur)
    }
}
