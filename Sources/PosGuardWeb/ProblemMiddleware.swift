import Foundation
import HTTPTypes
import Hummingbird
import PosGuardDomain
import PosGuardServices
import PosGuardStorage

/// Turns every error a route throws into a problem document; anything unexpected becomes a 500 that
/// reveals nothing of the server and is logged for the operator.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            let problem = Self.problem(for: error)
            if problem.status == .internalServerError || problem.status == .serviceUnavailable {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            return try problem.response(from: request, context: context)
        }
    }

    static func problem(for error: any Error) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let failure as ValidationFailure:
            return .validation(failure.errors)
        case let error as ServiceError:
            return problem(for: error)
        case let error as HTTPError:
            switch error.status {
            case .notFound: return Problem(.notFound, "not-found", "No such route")
            case .contentTooLarge: return Problem(.contentTooLarge, "too-large", "The request body is too large")
            default: return Problem(error.status, "http", error.status.reasonPhrase, detail: error.body)
            }
        case let error as Database.DuplicateEntry:
            return Problem(.conflict, "conflict", "Conflict", detail: error.description)
        case let error where Database.isUnavailable(error):
            var problem = Problem(
                .serviceUnavailable, "unavailable", "The database is unavailable",
                detail: "nothing was changed: try again in a few seconds")
            problem.retryAfter = 5
            return problem
        default:
            return Problem(.internalServerError, "internal", "The server failed to handle the request")
        }
    }

    static func problem(for error: ServiceError) -> Problem {
        switch error {
        case .notFound(let what):
            return Problem(.notFound, "not-found", "Not found", detail: "no such \(what)")
        case .forbidden(let why):
            return Problem(.forbidden, "forbidden", "Not allowed", detail: why)
        case .conflict(let field, let message):
            return Problem(
                .conflict, "conflict", "Conflict", detail: message, errors: field.map { [FieldError($0, message)] })
        case .illegalTransition(_, _, let allowed, let message):
            var p = Problem(.conflict, "illegal-transition", "Transition not allowed", detail: message)
            p.allowedTransitions = allowed.map(\.rawValue)
            return p
        case .mfaRequired(let why):
            return Problem(.forbidden, "mfa-required", "A recent TOTP verification is required", detail: why)
        case .unauthenticated(let why):
            return Problem(.unauthorized, "unauthenticated", "Not signed in", detail: why)
        case .totpRequired:
            return Problem(
                .unauthorized, "totp-required", "A TOTP code is required", detail: "send the current code as totp",
                errors: [FieldError("totp", "is required for this account")])
        case .throttled(let seconds):
            var p = Problem(
                .tooManyRequests, "throttled", "Too many failed sign-ins",
                detail: "wait \(seconds) seconds before trying again")
            p.retryAfter = seconds
            return p
        case .importRejected(let rows):
            var p = Problem(
                .unprocessableContent, "import-rejected", "The file has invalid rows; nothing was imported",
                detail: "\(rows.count) problem(s) found")
            p.rowErrors = rows
            return p
        }
    }
}
