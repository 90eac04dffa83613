import ArgumentParser
import Foundation
import PosGuardGateway

/// What one client may take of the ISO 8583 gateway: timeouts and connection caps, from the command line or
/// the environment.
struct GatewayOptions: ParsableArguments {
    @Option(
        help:
            "Close an ISO 8583 connection that sends nothing for this many seconds (default: $POSGUARD_ISO8583_IDLE_TIMEOUT or 60)."
    )
    var iso8583IdleTimeout: Double?

    @Option(
        help:
            "A frame started must be complete within this many seconds, or its connection is closed (default: $POSGUARD_ISO8583_FRAME_TIMEOUT or 10)."
    )
    var iso8583FrameTimeout: Double?

    @Option(
        help:
            "ISO 8583 connections open at once; at most half of `ulimit -n` (default: $POSGUARD_ISO8583_MAX_CONNECTIONS or 512)."
    )
    var iso8583MaxConnections: Int?

    @Option(
        help:
            "ISO 8583 connections open at once from one address (default: $POSGUARD_ISO8583_MAX_CONNECTIONS_PER_ADDRESS or 64)."
    )
    var iso8583MaxConnectionsPerAddress: Int?

    func validate() throws { _ = try limits() }

    /// The limits asked for, checked, before fitting them to the process's file descriptor limit.
    func limits() throws -> ISOGatewayLimits {
        let standard = ISOGatewayLimits.standard
        let idle = try optionOrEnvironment(iso8583IdleTimeout, "iso8583-idle-timeout", "POSGUARD_ISO8583_IDLE_TIMEOUT")
        let frame = try optionOrEnvironment(
            iso8583FrameTimeout, "iso8583-frame-timeout", "POSGUARD_ISO8583_FRAME_TIMEOUT")
        let total = try optionOrEnvironment(
            iso8583MaxConnections, "iso8583-max-connections", "POSGUARD_ISO8583_MAX_CONNECTIONS")
        let perAddress = try optionOrEnvironment(
            iso8583MaxConnectionsPerAddress, "iso8583-max-connections-per-address",
            "POSGUARD_ISO8583_MAX_CONNECTIONS_PER_ADDRESS")
        for (name, seconds) in [("iso8583-idle-timeout", idle), ("iso8583-frame-timeout", frame)] {
            if let seconds, !(seconds > 0 && seconds <= 86_400) {
                throw ValidationError("--\(name) must be a number of seconds above 0 and at most 86400, got \(seconds)")
            }
        }
        for (name, count) in [("iso8583-max-connections", total), ("iso8583-max-connections-per-address", perAddress)] {
            if let count, !(1...1_000_000).contains(count) {
                throw ValidationError("--\(name) must be between 1 and 1000000, got \(count)")
            }
        }
        let limits = ISOGatewayLimits(
            idleTimeout: idle.map { .milliseconds(Int64($0 * 1000)) } ?? standard.idleTimeout,
            frameTimeout: frame.map { .milliseconds(Int64($0 * 1000)) } ?? standard.frameTimeout,
            maxConnections: total ?? standard.maxConnections,
            maxConnectionsPerAddress: perAddress ?? min(standard.maxConnectionsPerAddress, total ?? .max))
        guard limits.maxConnectionsPerAddress <= limits.maxConnections else {
            throw ValidationError(
                "--iso8583-max-connections-per-address (\(limits.maxConnectionsPerAddress)) must not exceed "
                    + "--iso8583-max-connections (\(limits.maxConnections))")
        }
        return limits
    }
}
