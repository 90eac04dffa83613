import HTTPTypes
import Hummingbird

/// Headers every answer carries: no content sniffing anywhere, and no caching of API and agent answers,
/// which hold tokens, secrets, card masks and the state of a tenant's fleet.
struct SecurityHeaders<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        let path = request.uri.path
        if path.hasPrefix("/api/") || path.hasPrefix("/agent/") || path == "/metrics" {
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}

extension HTTPField.Name {
    static let xContentTypeOptions = Self("X-Content-Type-Options")!
}
