import Foundation
import PosGuardDomain
import PosGuardStorage

/// Every service of one PosGuard instance, wired to one database.
public struct PosGuard: Sendable {
    public let runtime: Runtime
    public let hasher: PasswordHasher
    public let authentication: Authentication
    public let merchants: MerchantDirectory
    public let stores: StoreDirectory
    public let users: UserDirectory
    public let terminals: TerminalRegistry
    public let auditLog: AuditLog
    public let enrollment: AgentEnrollment
    public let agents: AgentVerifier
    public let memory: DetectionMemory
    public let ownership: SlotOwnership
    public let ingest: Ingest
    public let alerts: AlertDesk
    public let silence: SilenceWatch
    public let detection: DetectionSetup
    public let webhooks: Webhooks
    public let dispatcher: WebhookDispatcher
    public let screening: ScreeningDesk
    public let commands: RemoteCommands
    /// Incidents and their response.
    public var incidents: IncidentDesk {
        IncidentDesk(runtime: runtime, registry: terminals, commands: commands, email: mail != nil)
    }
    /// Incidents' impact, customer notices and closing reports.
    public var incidentReports: IncidentReports { IncidentReports(desk: incidents) }
    /// Inspections of recovered terminals before they return to service.
    public var inspections: RecoveryInspections { RecoveryInspections(runtime: runtime) }
    /// Providers, for the instance's operator (the CLI, the demo data).
    public var providers: ProviderDirectory { ProviderDirectory(runtime: runtime, hasher: hasher) }
    /// Sends alert emails; nil when no SMTP server is configured.
    public let mail: EmailDispatcher?

    /// `webhookAllow`: networks webhooks may be sent to although they are not public (`serve --webhook-allow`).
    public init(
        runtime: Runtime, hasher: PasswordHasher = PasswordHasher(), smtp: SMTPSettings? = nil,
        webhookAllow: [IPNetwork] = []
    ) {
        self.runtime = runtime
        self.hasher = hasher
        authentication = Authentication(runtime: runtime, hasher: hasher, email: smtp != nil)
        merchants = MerchantDirectory(runtime: runtime)
        stores = StoreDirectory(runtime: runtime)
        users = UserDirectory(runtime: runtime, hasher: hasher)
        terminals = TerminalRegistry(runtime: runtime)
        auditLog = AuditLog(runtime: runtime)
        enrollment = AgentEnrollment(runtime: runtime)
        agents = AgentVerifier(runtime: runtime)
        memory = DetectionMemory(runtime: runtime)
        ownership = SlotOwnership(runtime: runtime, memory: memory)
        alerts = AlertDesk(runtime: runtime, email: smtp != nil)
        ingest = Ingest(
            runtime: runtime, memory: memory, ownership: ownership, alertDesk: alerts, registry: terminals)
        silence = SilenceWatch(
            runtime: runtime, memory: memory, ownership: ownership, alertDesk: alerts,
            containment: Containment(runtime: runtime, registry: terminals))
        detection = DetectionSetup(runtime: runtime)
        webhooks = Webhooks(runtime: runtime, policy: WebhookAddressPolicy(allowing: webhookAllow))
        dispatcher = WebhookDispatcher(runtime: runtime, policy: WebhookAddressPolicy(allowing: webhookAllow))
        mail = smtp.map { EmailDispatcher(runtime: runtime, settings: $0) }
        screening = ScreeningDesk(runtime: runtime, memory: memory, alertDesk: alerts)
        commands = RemoteCommands(runtime: runtime, registry: terminals)
    }
}
