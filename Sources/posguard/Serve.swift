import ArgumentParser
import Foundation
import Logging
import PosGuardApp
import PosGuardDomain
import PosGuardGateway
import PosGuardServices
import PosGuardStorage
import PosGuardWeb

/// `posguard serve`: migrates the database and runs the HTTP server, the ISO 8583 gateway and the background
/// jobs until SIGINT or SIGTERM.
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
        name: .customLong("metrics-token"),
        help:
            "Bearer token a Prometheus scraper sends to read /metrics; without it /metrics is off (default: $POSGUARD_METRICS_TOKEN)."
    )
    var metricsTokenOption: String?

    /// The token given, or the environment's.
    var metricsToken: String? { metricsTokenOption ?? ProcessInfo.processInfo.environment["POSGUARD_METRICS_TOKEN"] }

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

    @Option(
        help:
            "Base URL other instances on the same PostgreSQL reach this one at (default: http://host:port as it listens)."
    )
    var advertiseURL: String?

    @Flag(help: "Load the demo tenant (a provider, two merchants, four stores, 40 terminals, a user of every role).")
    var demo = false

    @OptionGroup var gatewayLimits: GatewayOptions
    @OptionGroup var declineLog: DeclineLogOptions
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var mail: MailOptions
    @OptionGroup var evidence: EvidenceOptions

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard (0...65535).contains(iso8583Port) else {
            throw ValidationError("--iso8583-port must be between 0 and 65535")
        }
        if let metricsToken, metricsToken.count < 16 {
            throw ValidationError(
                "--metrics-token must be at least 16 characters: anyone who guesses it reads the fleet")
        }
        if let advertiseURL, URLComponents(string: advertiseURL)?.host == nil || !advertiseURL.hasPrefix("http") {
            throw ValidationError("--advertise-url must be a base URL such as http://10.0.0.5:8080")
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
            let configuration = try applicationConfiguration(runtime: runtime, logger: logger)
            say(
                configuration.smtp.map { "Email: alerts are sent through \($0.host):\($0.port) as \($0.from)" }
                    ?? "Email: off (set --smtp-host and --smtp-from to send alert emails)")
            let allowed = configuration.webhookAllow
            say(
                allowed.isEmpty
                    ? "Webhooks: public addresses only (--webhook-allow CIDR opens a private network)"
                    : "Webhooks: public addresses and \(allowed.map(\.description).joined(separator: ", "))")
            say(
                "Evidence: \(configuration.evidence.directory.path) (uploads up to \(configuration.evidence.maxBytes) "
                    + "bytes, kept \(configuration.evidence.retentionDays) days after an incident closes)")
            var application = try await buildApplication(configuration)
            if demo {
                say("\nDemo logins (role, email, password):")
                for login in application.demoLogins {
                    say(
                        "  \(login.role.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0)) \(login.email.padding(toLength: 38, withPad: " ", startingAt: 0)) \(login.password)"
                    )
                }
            }
            let host = host
            let operations = metricsToken == nil ? "" : ", /metrics"
            application.onHTTPListening = { port in
                say("\nPosGuard is listening:")
                say(
                    "  HTTP  http://\(host):\(port)/  (API /api/v1, OpenAPI /api/v1/openapi.json, /healthz, /readyz\(operations))"
                )
                say("Press Ctrl-C to stop.")
            }
            if let gateway = application.gateway {
                application.onGatewayListening = { port in
                    let limits = gateway.connections.limits
                    say("  ISO 8583  tcp://\(gateway.host):\(port)  (screening: 0100/0200 in, 0110/0210 out)")
                    say(
                        "            at most \(limits.maxConnections) connections, \(limits.maxConnectionsPerAddress) per address; "
                            + "closed after \(limits.idleTimeout) idle or \(limits.frameTimeout) inside a frame")
                }
            }
            try await application.runService()
        }
    }

    /// The instance the command line describes, on `runtime`.
    func applicationConfiguration(runtime: Runtime, logger: Logger) throws -> PosGuardConfiguration {
        var configuration = PosGuardConfiguration(runtime: runtime)
        configuration.host = host
        configuration.port = port
        configuration.advertisedURL = advertiseURL
        configuration.iso8583Port = iso8583Port == 0 ? nil : iso8583Port
        configuration.iso8583Upstream = upstream
        configuration.gatewayLimits = try gatewayLimits.limits()
        (configuration.declinesPerMinute, configuration.declineRetentionDays) = try declineLog.settings()
        configuration.http = HTTPSettings(metricsToken: metricsToken, trustedProxies: try proxyNetworks)
        configuration.webhookAllow = try webhookNetworks
        configuration.smtp = mail.settings
        configuration.evidence = evidence.settings(dataDir: database.dataDir)
        configuration.demo = demo
        configuration.logger = logger
        return configuration
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
