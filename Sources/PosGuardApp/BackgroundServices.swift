import PosGuardGateway
import PosGuardServices
import PosGuardStorage
import ServiceLifecycle

/// The ISO 8583 gateway as a service of the application, telling `onListening` its port once it listens.
struct GatewayService: Service {
    let gateway: ISOGateway
    let onListening: @Sendable (Int) async -> Void

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await gateway.run(onBound: onListening) }
    }
}

/// The change relay as a service of the application, on PostgreSQL only: on SQLite there is nothing to hear,
/// and a service that returned at once would stop the application.
struct ChangeRelayService: Service {
    let relay: ChangeRelay

    func run() async throws {
        await cancelWhenGracefulShutdown { await relay.run() }
    }
}

/// Slot sharing as a service of the application, on PostgreSQL only (on SQLite one process holds everything,
/// and a service that returned at once would stop the application). A lost connection to the database leaves
/// the instance holding nothing until it has taken its slots again (see `SlotOwnership.run`).
struct SlotSharingService: Service {
    let ownership: SlotOwnership

    func run() async throws {
        try await cancelWhenGracefulShutdown { try await ownership.run() }
    }
}
