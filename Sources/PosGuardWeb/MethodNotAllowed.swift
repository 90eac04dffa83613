import HTTPTypes
import Hummingbird
import Synchronization

/// Answers 405 with `Allow` — not 404 — when a path exists but not for the method used (`TRACE /api/v1/me`,
/// `PUT /api/v1/session`), so a client learns it has the right address and the wrong verb.
final class RouteTable: Sendable {
    private let routes = Mutex<[(method: HTTPRequest.Method, segments: [Substring])]>([])

    /// Records the router's routes, once they are all added.
    func learn(_ routes: [(method: HTTPRequest.Method, path: String)]) {
        self.routes.withLock { $0 = routes.map { ($0.method, $0.path.split(separator: "/")) } }
    }

    /// The methods served at `path`, in a stable order.
    func methods(at path: String) -> [String] {
        let segments = path.split(separator: "/")
        let served = routes.withLock { routes in
            routes.filter { route in
                route.segments.count == segments.count
                    && zip(route.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
            }.map(\.method.rawValue)
        }
        return Set(served).sorted()
    }
}

struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = table.methods(at: request.uri.path)
            guard !allowed.isEmpty else { throw error }
            var problem = Problem(
                .methodNotAllowed, "method-not-allowed", "Method not allowed",
                detail: "\(request.method.rawValue) is not served here; use \(allowed.joined(separator: ", "))")
            problem.allow = allowed.joined(separator: ", ")
            throw problem
        }
    }
}
