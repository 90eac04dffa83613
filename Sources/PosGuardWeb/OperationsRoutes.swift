import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PosGuardDomain
import PosGuardServices
import Prometheus

/// What operators and orchestrators poll: `/healthz`, `/readyz`, `/metrics`, and the API's own description.
struct OperationsRoutes {
    let app: PosGuard
    let registry: PrometheusCollectorRegistry
    let metricsToken: String?

    struct Health: Encodable {
        var status: String
        var database: String?
        /// This instance, and how many of the slots of detection's memory it holds (see `SlotOwnership`).
        var instance: String?
        var slots: Int?
    }

    func add(to router: Router<AppRequestContext>) {
        router.get("healthz") { _, _ in JSONResponse(Health(status: "ok")) }
        router.get("readyz") { _, _ in
            let reachable = await app.runtime.database.isReachable()
            // Ready once it can take agents' batches: the database answers and its slots are settled.
            let sharing = app.ownership.snapshot
            let ready = reachable && sharing.ready
            return JSONResponse(
                Health(
                    status: ready ? "ready" : "unavailable", database: reachable ? "ok" : "unreachable",
                    instance: sharing.instance, slots: sharing.held),
                status: ready ? .ok : .serviceUnavailable)
        }
        router.get("metrics") { request, _ in
            try checkScraper(request)
            let counts = try await app.terminals.countByState()
            for state in TerminalState.allCases {
                registry.makeGauge(
                    descriptor: .init(
                        metricName: "posguard_terminals", unitName: "count",
                        helpText: "Terminals in the registry by state"),
                    labels: [("state", state.rawValue)]
                ).set(Double(counts[state] ?? 0))
            }
            let sharing = app.ownership.snapshot
            for (name, help, value) in [
                ("posguard_detection_slots_held", "Slots of detection's memory this instance holds", sharing.held),
                (
                    "posguard_detection_slot_handovers", "Slots this instance took over since it started",
                    sharing.handedOver
                ),
                (
                    "posguard_agent_requests_forwarded", "Agent requests sent on to the instance holding their slot",
                    sharing.forwarded
                ),
            ] {
                registry.makeGauge(descriptor: .init(metricName: name, unitName: "count", helpText: help)).set(
                    Double(value))
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("api/v1/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.data)))
        }
    }
}

extension OperationsRoutes {
    /// `/metrics` answers only a scraper holding the configured token, compared in constant time.
    func checkScraper(_ request: Request) throws {
        guard let metricsToken else {
            throw Problem(
                .notFound, "not-found", "Metrics are off",
                detail: "start the server with --metrics-token (or POSGUARD_METRICS_TOKEN) to turn them on")
        }
        let sent = request.headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil }
        guard let sent, SHA256.hash(data: Data(sent.utf8)) == SHA256.hash(data: Data(metricsToken.utf8)) else {
            throw ServiceError.unauthenticated("send the metrics token as Authorization: Bearer <token>")
        }
    }
}

/// The OpenAPI 3.1 description of every route, shipped as a resource.
public enum OpenAPIDocument {
    public static let data: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else { preconditionFailure("openapi.json is missing from PosGuardWeb's resources") }
        return data
    }()
}
