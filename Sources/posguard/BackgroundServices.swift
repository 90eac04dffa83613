import PosGuardGateway
import PosGuardServices
import PosGuardStorage
import ServiceLifecycle

/// The ISO 8583 gateway as a service of `serve`, printing its port once it listens.
struct GatewayService: Service {
    let gateway: ISOGateway

    func run() async throws {
        try await cancelOnGracefulShutdown {
            try await gateway.run { port in
                let limits = gateway.connections.limits
                say("  ISO 8583  tcp://\(gateway.host):\(port)  (screening: 0100/0200 in, 0110/0210 out)")
                say(
                    "            at most \(limits.maxConnections) connections, \(limits.maxConnectionsPerAddress) per address; "
                        + "closed after \(limits.idleTimeout) idle or \(limits.frameTimeout) inside a frame")
            }
        }
    }
}

/// The change relay as a service of `serve` (PostgreSQL only: it returns at once on SQLite).
struct ChangeRelayService: Service {
    let relay: ChangeRelay

    func run() async throws {
        try await cancelOnGracefulShutdown { await relay.run() }
    }
}
