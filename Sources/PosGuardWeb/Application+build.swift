import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices
import Prometheus

/// How the HTTP interface of one instance is set up beyond its services.
public struct HTTPSettings: Sendable {
    /// The bearer token a metrics scraper sends; without one, `/metrics` is off (it counts a whole fleet).
    public var metricsToken: String?
    /// Reverse proxies whose `X-Forwarded-For` is believed; none by default.
    public var trustedProxies: [IPNetwork]

    public init(metricsToken: String? = nil, trustedProxies: [IPNetwork] = []) {
        self.metricsToken = metricsToken
        self.trustedProxies = trustedProxies
    }
}

/// Builds the router every PosGuard instance serves (`buildApplication` puts it behind the HTTP server), its
/// incidents' evidence kept as `evidence` says.
public func buildRouter(
    _ app: PosGuard, settings: HTTPSettings = HTTPSettings(), evidence: EvidenceSettings,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: SecurityHeaders())
    if !settings.trustedProxies.isEmpty {
        router.add(middleware: ClientAddressMiddleware(trustedProxies: settings.trustedProxies))
    }
    router.add(middleware: RequestMetrics(registry: metrics))
    router.add(middleware: ProblemMiddleware())
    let routeTable = RouteTable()
    router.add(middleware: MethodNotAllowedMiddleware(table: routeTable))
    OperationsRoutes(app: app, registry: metrics, metricsToken: settings.metricsToken).add(to: router)

    let api = router.group("api/v1")
    SessionRoutes(app: app).addPublic(to: api)
    let authenticated = api.group().add(middleware: CallerAuthenticator(authentication: app.authentication))
    SessionRoutes(app: app).add(to: authenticated)
    OrganisationRoutes(app: app).add(to: authenticated)
    UserRoutes(app: app).add(to: authenticated)
    TerminalRoutes(app: app).add(to: authenticated)
    AuditRoutes(app: app).add(to: authenticated)
    AlertRoutes(app: app).add(to: authenticated)
    DetectionRoutes(app: app).add(to: authenticated)
    WebhookRoutes(app: app).add(to: authenticated)
    ScreeningRoutes(app: app).add(to: authenticated)
    CommandRoutes(app: app).add(to: authenticated)
    IncidentRoutes(app: app).add(to: authenticated)
    let locker = app.evidence(evidence)
    EvidenceRoutes(app: app, locker: locker).add(to: authenticated)
    IncidentReportRoutes(app: app).add(to: authenticated)
    AgentRoutes(app: app).add(to: router)
    ConsoleRoutes(app: app, settings: settings, locker: locker).add(to: router)
    routeTable.learn(router.routes.map { ($0.method, $0.path.description) })
    return router
}
