import PosGuardGateway
import PosGuardServices
import PosGuardStorage
import ServiceLifecycle

// Each service describes itself by its name: the service group logs a service's description (at start, and with
// any error it ends with), and the default one would print every setting it holds, secrets included.

/// The ISO 8583 gateway as a service of the application, telling `onListening` its port once it listens.
struct GatewayService: Service, CustomStringConvertible {
    let gateway: ISOGateway
    let onListening: @Sendable (Int) async -> Void
    var description: String { "ISO 8583 gateway" }

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await gateway.run(onBound: onListening) }
    }
}

/// The change relay as a service of the application, on PostgreSQL only: on SQLite there is nothing to hear,
/// and a service that returned at once would stop the application.
struct ChangeRelayService: Service, CustomStringConvertible {
    let relay: ChangeRelay
    var description: String { "change relay" }

    func run() async throws {
        await cancelWhenGracefulShutdown { await relay.run() }
    }
}

/// Slot sharing as a service of the application, on PostgreSQL only (on SQLite one process holds everything,
/// and a service that returned at once would stop the application). A lost connection to the database leaves
/// the instance holding nothing until it has taken its slots again (see `SlotOwnership.run`).
struct SlotSharingService: Service, CustomStringConvertible {
    let ownership: SlotOwnership
    var description: String { "slot sharing" }

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await ownership.run() }
    }
}
