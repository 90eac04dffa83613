import Foundation
import Hummingbird
import Prometheus

/// Counts requests and their durations per route and status, for `/metrics`.
struct RequestMetrics<Context: RequestContext>: RouterMiddleware {
    let registry: PrometheusCollectorRegistry

    static var buckets: [Duration] {
        [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5),
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let labels = [
            ("method", request.method.rawValue), ("route", context.endpointPath ?? "unmatched"),
            ("status", String(response.status.code)),
        ]
        registry.makeCounter(
            descriptor: .init(
                metricName: "posguard_http_requests", unitName: "total", helpText: "HTTP requests answered"),
            labels: labels
        ).increment()
        registry.makeDurationHistogram(
            descriptor: .init(
                metricName: "posguard_http_request_duration", unitName: "seconds",
                helpText: "Time to answer HTTP requests"),
            labels: Array(labels.prefix(2)), buckets: Self.buckets
        ).record(ContinuousClock.now - start)
        return response
    }
}
