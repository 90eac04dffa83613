import Foundation
import Logging
import PosGuardDomain
import PosGuardGateway
import PosGuardServices
import PosGuardWeb

/// Everything one instance is built from: the runtime (database, master key, clock), where it listens, how
/// much the ISO 8583 gateway and the decline log take, who may read metrics and send webhooks where, the mail
/// server, where evidence is kept, the demo tenant and which background jobs run. The defaults are those of
/// `posguard serve`.
public struct PosGuardConfiguration: Sendable {
    public var runtime: Runtime
    public var hasher: PasswordHasher
    /// The address both servers listen on.
    public var host = "127.0.0.1"
    /// The HTTP port; 0 picks a free one.
    public var port = 8080
    /// The base URL other instances on the same database send this one's terminals' requests to (default:
    /// `http://host:port` as it listens).
    public var advertisedURL: String?
    /// The ISO 8583 screening port; 0 picks a free one, nil turns the gateway off.
    public var iso8583Port: Int? = 8583
    /// Where approved ISO 8583 requests are relayed; nil answers them.
    public var iso8583Upstream: ISOGateway.Upstream?
    /// What one client may take of the gateway, before fitting to the process's file descriptor limit.
    public var gatewayLimits = ISOGatewayLimits.standard
    /// Declines written one by one per terminal, reason and minute; the rest are counted in one row.
    public var declinesPerMinute = 10
    /// Declines older than this many days are deleted.
    public var declineRetentionDays = 90
    /// The metrics token and the trusted reverse proxies.
    public var http = HTTPSettings()
    /// Networks webhooks may be sent to although they are not public.
    public var webhookAllow: [IPNetwork] = []
    /// Where incidents' evidence files are kept, the largest upload and how long files are kept after closing.
    public var evidence = EvidenceSettings(directory: URL(fileURLWithPath: "data/evidence", isDirectory: true))
    /// The mail server for alert emails; nil turns email off.
    public var smtp: SMTPSettings?
    /// Loads the demo tenant at start.
    public var demo = false
    public var jobs = BackgroundJobs.all
    public var logger = Logger(label: "posguard")

    public init(runtime: Runtime, hasher: PasswordHasher = PasswordHasher()) {
        self.runtime = runtime
        self.hasher = hasher
    }
}
