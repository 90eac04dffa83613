import Foundation
import HTTPTypes
import Hummingbird
import Prometheus
import Synchronization

/// Counts requests and their durations per route and status, for `/metrics`.
struct RequestMetrics<Context: RequestContext>: RouterMiddleware {
    /// The registry's counter and histogram of each method, route and status seen, so that a request costs a
    /// lookup in a small table rather than the registry's by label text (routes are the router's patterns,
    /// never the paths asked for, so the table stays as small as the API).
    private let instruments: Instruments

    init(registry: PrometheusCollectorRegistry) { instruments = Instruments(registry: registry) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let key = Instruments.Key(
            method: Instruments.standardMethods.contains(request.method) ? request.method.rawValue : "other",
            route: context.endpointPath ?? "unmatched", status: response.status.code)
        let (counter, duration) = instruments.of(key)
        counter.increment()
        duration.record(ContinuousClock.now - start)
        return response
    }
}

private final class Instruments: Sendable {
    /// Methods named in the labels; any other a client makes up counts as "other", so that made-up methods
    /// cannot grow the metrics without bound.
    static let standardMethods: Set<HTTPRequest.Method> = [
        .get, .head, .post, .put, .patch, .delete, .options, .trace, .connect,
    ]

    static let buckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
    ]

    struct Key: Hashable, Sendable {
        var method: String
        var route: String
        var status: Int
    }

    private let registry: PrometheusCollectorRegistry
    private let made = Mutex<[Key: (Counter, DurationHistogram)]>([:])

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    func of(_ key: Key) -> (Counter, DurationHistogram) {
        if let found = made.withLock({ $0[key] }) { return found }
        let labels = [("method", key.method), ("route", key.route), ("status", String(key.status))]
        let instruments = (
            registry.makeCounter(
                descriptor: .init(
                    metricName: "posguard_http_requests", unitName: "total", helpText: "HTTP requests answered"),
                labels: labels
            ),
            registry.makeDurationHistogram(
                descriptor: .init(
                    metricName: "posguard_http_request_duration", unitName: "seconds",
                    helpText: "Time to answer HTTP requests"),
                labels: Array(labels.prefix(2)), buckets: Self.buckets
            )
        )
        made.withLock { $0[key] = instruments }
        return instruments
    }
}
