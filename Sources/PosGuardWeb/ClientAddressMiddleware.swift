import HTTPTypes
import Hummingbird
import PosGuardDomain

/// Behind reverse proxies the operator named (`serve --trusted-proxy`), takes the client's address from
/// `X-Forwarded-For` as far as those proxies wrote it; from anyone else the header is ignored.
struct ClientAddressMiddleware: RouterMiddleware {
    let trustedProxies: [IPNetwork]

    func handle(
        _ request: Request, context: AppRequestContext,
        next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        context.source = ClientAddress.resolve(
            peer: context.remoteAddress?.ipAddress, forwardedFor: request.headers[values: .xForwardedFor],
            trustedProxies: trustedProxies)
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
