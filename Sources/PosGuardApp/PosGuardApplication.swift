import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PosGuardGateway
import PosGuardServices
import PosGuardWeb
import ServiceLifecycle

/// One PosGuard instance ready to run: the HTTP server over its services, the ISO 8583 gateway unless it is
/// turned off, and its background jobs. `runService()` runs them all until SIGINT or SIGTERM; the tests drive
/// it through HummingbirdTesting. Built by `buildApplication`.
public struct PosGuardApplication: ApplicationProtocol, CustomStringConvertible {
    /// The services the servers and the jobs share.
    public let posGuard: PosGuard
    public let responder: RouterResponder<AppRequestContext>
    /// Every route the HTTP server serves, as `(method, path)` with `{id}` placeholders.
    public let routes: [(method: HTTPRequest.Method, path: String)]
    /// The ISO 8583 gateway; nil when it is turned off.
    public let gateway: ISOGateway?
    /// The demo users' logins when the demo tenant was loaded at start, else none.
    public let demoLogins: [DemoData.Login]
    public let configuration: ApplicationConfiguration
    public let logger: Logger
    /// Where the other instances reach this one; by default the address it listens on.
    var advertisedURL: String?
    var host: String
    /// The background jobs, in the order they start (they stop in the reverse order).
    let jobs: [any Service]

    /// Called once the HTTP server listens, with its port.
    public var onHTTPListening: @Sendable (Int) async -> Void = { _ in }
    /// Called once the gateway listens, with its port.
    public var onGatewayListening: @Sendable (Int) async -> Void = { _ in }

    public func onServerRunning(_ channel: any Channel) async {
        let port = channel.localAddress?.port ?? 0
        posGuard.ownership.advertise(advertisedURL ?? "http://\(host):\(port)")
        await onHTTPListening(port)
    }

    /// What the service group logs it as (at start, and with any error it ends with): its name, never what it
    /// holds — the mail server's password, the demo users' passwords.
    public var description: String { "PosGuard" }

    /// The gateway and the jobs, run beside the HTTP server.
    public var services: [any Service] {
        guard let gateway else { return jobs }
        return [GatewayService(gateway: gateway, onListening: onGatewayListening)] + jobs
    }
}
