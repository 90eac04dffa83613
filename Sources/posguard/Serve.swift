import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore
import PosGuardDomain
import PosGuardGateway
import PosGuardServices
import PosGuardStorage
import PosGuardWeb
import ServiceLifecycle

/// `posguard serve`: migrates the database and runs the HTTP server until SIGINT or SIGTERM.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the PosGuard server.")

    @Option(help: "Address to listen on (default: $POSGUARD_HOST or 127.0.0.1).")
    var host: String = ProcessInfo.processInfo.environment["POSGUARD_HOST"] ?? "127.0.0.1"

    @Option(help: "HTTP port; 0 picks a free one (default: $POSGUARD_PORT or 8080).")
    var port: Int = ProcessInfo.processInfo.environment["POSGUARD_PORT"].flatMap(Int.init) ?? 8080

    @Option(help: "ISO 8583 screening port; 0 turns it off (default: $POSGUARD_ISO8583_PORT or 8583).")
    var iso8583Port: Int = ProcessInfo.processInfo.environment["POSGUARD_ISO8583_PORT"].flatMap(Int.init) ?? 8583

    @Option(
        help: "Relay approved ISO 8583 requests to this host:port and pass its answers back (default: answer them).")
    var iso8583Upstream: String?

    @Option(
        help:
            "Bearer token a Prometheus scraper sends to read /metrics; without it /metrics is off (default: $POSGUARD_METRICS_TOKEN)."
    )
    var metricsToken: String? = ProcessInfo.processInfo.environment["POSGUARD_METRICS_TOKEN"]

    @Option(
        name: .customLong("webhook-allow"),
        help: ArgumentHelp(
            "Also send webhooks into this network (CIDR, IPv4 or IPv6; repeatable), for receivers on a private network.",
            valueName: "cidr"))
    var webhookAllow: [String] = []

    @Option(
        name: .customLong("trusted-proxy"),
        help: ArgumentHelp(
            "A reverse proxy (CIDR; repeatable) whose X-Forwarded-For names the client: for the audit log and the sign-in throttle.",
            valueName: "cidr"))
    var trustedProxy: [String] = []

    @Flag(help: "Load the demo tenant (a provider, two merchants, four stores, 40 terminals, a user of every role).")
    var demo = false

    @OptionGroup var gatewayLimits: GatewayOptions
    @OptionGroup var declineLog: DeclineLogOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var mail: MailOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (0...65535).contains(iso8583Port) else {
            throw ValidationError("--iso8583-port must be between 0 and 65535")
        }
        if let metricsToken, metricsToken.count < 16 {
            throw ValidationError(
                "--metrics-token must be at least 16 characters: anyone who guesses it reads the fleet")
        }
        _ = try webhookNetworks
        _ = try proxyNetworks
    }

    /// The `--webhook-allow` networks.
    var webhookNetworks: [IPNetwork] { get throws { try Self.networks(webhookAllow, option: "--webhook-allow") } }

    /// The `--trusted-proxy` networks.
    var proxyNetworks: [IPNetwork] { get throws { try Self.networks(trustedProxy, option: "--trusted-proxy") } }

    static func networks(_ texts: [String], option: String) throws -> [IPNetwork] {
        var networks: [IPNetwork] = []
        for text in texts {
            do {
                networks.append(try IPNetwork(cidr: text))
            } catch {
                throw ValidationError("\(option): \(error.message)")
            }
        }
        return networks
    }

    func run() async throws {
        let logger = Logs.bootstrap()
        try await database.use(logger: logger) { runtime, opened in
            say(
                "Database: \(database.description) (schema version \(Migrations.latest)\(opened.applied.isEmpty ? "" : ", migrated now"))"
            )
            say(
                "Master key: \(opened.key.source)"
                    + (opened.key.created
                        ? " (made now: back it up, or keep it in $\(MasterKey.environmentVariable); without it the "
                            + "database's TOTP, unlock and webhook secrets cannot be read)" : ""))
            let smtp = mail.settings
            say(
                smtp.map { "Email: alerts are sent through \($0.host):\($0.port) as \($0.from)" }
                    ?? "Email: off (set --smtp-host and --smtp-from to send alert emails)")
            let allowed = try webhookNetworks
            say(
                allowed.isEmpty
                    ? "Webhooks: public addresses only (--webhook-allow CIDR opens a private network)"
                    : "Webhooks: public addresses and \(allowed.map(\.description).joined(separator: ", "))")
            let app = PosGuard(runtime: runtime, smtp: smtp, webhookAllow: allowed)
            try await app.engine.restore()
            try await app.screening.load()
            if demo {
                let logins = try await DemoData.load(runtime: app.runtime, hasher: app.hasher)
                say("\nDemo logins (role, email, password):")
                for login in logins {
                    say(
                        "  \(login.role.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)) \(login.email.padding(toLength: 38, withPad: " ", startingAt: 0)) \(login.password)"
                    )
                }
            }
            let host = host
            let operations = metricsToken == nil ? "" : ", /metrics"
            let server = buildApplication(
                app, host: host, port: port,
                settings: HTTPSettings(metricsToken: metricsToken, trustedProxies: try proxyNetworks), logger: logger
            ) { channel in
                let port = channel.localAddress?.port ?? 0
                say("\nPosGuard is listening:")
                say(
                    "  HTTP  http://\(host):\(port)/  (API /api/v1, OpenAPI /api/v1/openapi.json, /healthz, /readyz\(operations))"
                )
                say("Press Ctrl-C to stop.")
            }
            let silence = Periodic(name: "silence sweep", interval: .seconds(30), logger: logger) {
                try await app.silence.sweep()
            }
            let webhooks = Periodic(name: "webhook deliveries", interval: .seconds(2), logger: logger) {
                try await app.dispatcher.deliverDue()
            }
            let emails = Periodic(name: "email", interval: .seconds(5), logger: logger) {
                try await app.mail?.sendDue() ?? 0
            }
            let kept = try declineLog.settings()
            app.screening.limitDeclineLog(perKey: kept.perMinute, unknownTIDs: 5 * kept.perMinute)
            let declines = Periodic(name: "decline log", interval: .seconds(1), logger: logger) {
                try await app.screening.flush()
            }
            let retention = Periodic(name: "decline retention", interval: .seconds(3600), logger: logger) {
                try await app.screening.prune(olderThan: kept.retentionDays)
            }
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            if iso8583Port != 0 {
                var limits = try gatewayLimits.limits()
                if let descriptors = ISOGatewayLimits.descriptorLimit() {
                    let fitted = limits.fitted(toDescriptors: descriptors)
                    if let warning = fitted.warning { logger.warning("\(warning)") }
                    limits = fitted.limits
                }
                let gateway = ISOGateway(
                    screening: app.screening, now: app.runtime.now, host: host, port: iso8583Port, upstream: upstream,
                    limits: limits, logger: logger)
                services.append(.init(service: GatewayService(gateway: gateway)))
            }
            let group = ServiceGroup(
                configuration: .init(
                    services: services + [
                        .init(service: server),
                        .init(service: declines, successTerminationBehavior: .ignore),
                        .init(service: retention, successTerminationBehavior: .ignore),
                        .init(
                            service: ChangeRelayService(relay: ChangeRelay(database: app.runtime.database, logger: logger)),
                            successTerminationBehavior: .ignore),
                        .init(service: silence, successTerminationBehavior: .ignore),
                        .init(service: webhooks, successTerminationBehavior: .ignore),
                        .init(service: emails, successTerminationBehavior: .ignore),
                    ],
                    gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
        }
    }

    /// The `--iso8583-upstream` host and port.
    var upstream: ISOGateway.Upstream? {
        guard let text = iso8583Upstream, let colon = text.lastIndex(of: ":"),
            let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port), colon > text.startIndex
        else { return nil }
        return ISOGateway.Upstream(host: String(text[..<colon]), port: port)
    }
}
