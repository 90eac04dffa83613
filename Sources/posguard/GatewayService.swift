import PosGuardGateway
import ServiceLifecycle

/// The ISO 8583 gateway as a service of `serve`, printing its port once it listens.
struct GatewayService: Service {
    let gateway: ISOGateway

    func run() async throws {
        try await cancelOnGracefulShutdown {
            try await gateway.run { port in
                say("  ISO 8583  tcp://\(gateway.host):\(port)  (screening: 0100/0200 in, 0110/0210 out)")
            }
        }
    }
}
