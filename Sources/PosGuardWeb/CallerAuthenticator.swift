import Foundation
import Hummingbird
import PosGuardServices

/// Resolves `Authorization: Bearer <token>` to the caller, or answers 401.
struct CallerAuthenticator: RouterMiddleware {
    let authentication: Authentication

    func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
            case let token = header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces), !token.isEmpty
        else {
            throw ServiceError.unauthenticated("send Authorization: Bearer <token>, from POST /api/v1/session")
        }
        var context = context
        context.caller = try await authentication.caller(token: token, source: context.source)
        return try await next(request, context)
    }
}
