import Hummingbird
import Logging
import PosGuardGateway
import PosGuardServices
import PosGuardStorage
import PosGuardWeb
import ServiceLifecycle

/// Builds one instance from `configuration`: wires its services to the runtime, restores detection memory
/// from the events stored, loads the demo tenant when asked, builds the screening table, and sets up the HTTP
/// server, the ISO 8583 gateway (unless turned off) and the background jobs the configuration names.
public func buildApplication(_ configuration: PosGuardConfiguration) async throws -> PosGuardApplication {
    let app = PosGuard(
        runtime: configuration.runtime, hasher: configuration.hasher, smtp: configuration.smtp,
        webhookAllow: configuration.webhookAllow)
    try await app.memory.restore()
    // Instances started together on one PostgreSQL load the demo tenant once: the others find it there.
    let demoLogins =
        configuration.demo
        ? try await app.runtime.database.exclusively {
            try await DemoData.load(runtime: app.runtime, hasher: app.hasher)
        }
        : []
    try await app.screening.load()
    let perMinute = configuration.declinesPerMinute
    app.screening.limitDeclineLog(perKey: perMinute, unknownTIDs: 5 * perMinute)
    let router = buildRouter(app, settings: configuration.http, evidence: configuration.evidence)
    return PosGuardApplication(
        posGuard: app, responder: router.buildResponder(),
        routes: router.routes.map { (method: $0.method, path: $0.path.description) },
        gateway: gateway(of: app, configuration), demoLogins: demoLogins,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "PosGuard"),
        logger: configuration.logger, advertisedURL: configuration.advertisedURL,
        host: configuration.host == "0.0.0.0" || configuration.host == "::" ? "127.0.0.1" : configuration.host,
        jobs: backgroundJobs(of: app, configuration))
}

/// The ISO 8583 gateway, its connection caps lowered to what the process may open; nil when turned off.
private func gateway(of app: PosGuard, _ configuration: PosGuardConfiguration) -> ISOGateway? {
    guard let port = configuration.iso8583Port else { return nil }
    var limits = configuration.gatewayLimits
    if let descriptors = ISOGatewayLimits.descriptorLimit() {
        let fitted = limits.fitted(toDescriptors: descriptors)
        if let warning = fitted.warning { configuration.logger.warning("\(warning)") }
        limits = fitted.limits
    }
    return ISOGateway(
        screening: app.screening, now: app.runtime.now, host: configuration.host, port: port,
        upstream: configuration.iso8583Upstream, limits: limits, logger: configuration.logger)
}

/// The background jobs the configuration names, as services.
private func backgroundJobs(of app: PosGuard, _ configuration: PosGuardConfiguration) -> [any Service] {
    let (jobs, logger) = (configuration.jobs, configuration.logger)
    var services: [any Service] = []
    if jobs.contains(.declineLogFlush) {
        services.append(
            Periodic(name: "decline log", interval: .seconds(1), logger: logger) { try await app.screening.flush() })
    }
    if jobs.contains(.declineRetention) {
        let days = configuration.declineRetentionDays
        services.append(
            Periodic(name: "decline retention", interval: .seconds(3600), logger: logger) {
                try await app.screening.prune(olderThan: days)
            })
    }
    if jobs.contains(.changeRelay), app.runtime.database.kind == .postgres {
        services.append(ChangeRelayService(relay: ChangeRelay(database: app.runtime.database, logger: logger)))
    }
    if jobs.contains(.slotSharing), app.runtime.database.kind == .postgres {
        services.append(SlotSharingService(ownership: app.ownership))
    }
    if jobs.contains(.silenceSweep) {
        services.append(
            Periodic(name: "silence sweep", interval: .seconds(30), logger: logger) { try await app.silence.sweep() })
    }
    if jobs.contains(.webhookDeliveries) {
        services.append(
            Periodic(name: "webhook deliveries", interval: .seconds(2), logger: logger) {
                try await app.dispatcher.deliverDue()
            })
    }
    if jobs.contains(.auditCheckpoints) {
        services.append(
            Periodic(name: "audit checkpoints", interval: .seconds(60), logger: logger) {
                try await app.auditLog.checkpointIfGrown()
            })
    }
    if jobs.contains(.email), let mail = app.mail {
        services.append(Periodic(name: "email", interval: .seconds(5), logger: logger) { try await mail.sendDue() })
    }
    return services
}
