import Foundation
import HTTPTypes
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// What a console page knows of its request: who is signed in, in which language, the form token, and where.
struct ConsoleRequest: Sendable {
    let app: PosGuard
    let caller: Caller?
    /// The client's address, as the audit log and the sign-in throttle know it.
    let source: String?
    let language: ConsoleLanguage
    /// The CSRF token every form on the page carries.
    let csrf: String
    /// Whether cookies get `Secure` (the console is served over TLS).
    let secure: Bool
    /// The path and query asked for.
    let target: String
    let query: [String: String]
    /// The page of this site the request came from (its `Referer`), where a step-up sends the user back to.
    let back: String
    /// Cookies to set on the answer (a pre-session secret made for this request).
    var cookies: [Cookie] = []

    func t(_ text: String) -> String { language.t(text) }

    /// The caller, for pages that need one (the router sends signed-out visitors to sign in first).
    func signedIn() throws -> Caller {
        guard let caller else { throw ServiceError.unauthenticated("sign in first") }
        return caller
    }

    /// The hidden field every form carries.
    var csrfField: HTML { "<input type=\"hidden\" name=\"csrf_token\" value=\"\(csrf)\">" }

    static func make(_ request: Request, context: AppRequestContext, app: PosGuard, settings: HTTPSettings) async
        -> ConsoleRequest
    {
        let secure =
            request.uri.scheme == .https
            || (!settings.trustedProxies.isEmpty && request.headers[.xForwardedProto]?.lowercased() == "https")
        var caller: Caller?
        if let token = request.cookies[ConsoleSession.session]?.value, !token.isEmpty {
            caller = try? await app.authentication.caller(token: token, source: context.source)
        }
        var cookies: [Cookie] = []
        let secret: String
        if caller != nil, let token = request.cookies[ConsoleSession.session]?.value {
            secret = token
        } else if let existing = request.cookies[ConsoleSession.preSession]?.value, existing.count == 64 {
            secret = existing
        } else {
            secret = ConsoleSession.newSecret()
            cookies.append(ConsoleSession.cookie(ConsoleSession.preSession, secret, maxAge: nil, secure: secure))
        }
        let language = ConsoleLanguage.negotiate(
            cookie: request.cookies[ConsoleLanguage.cookie]?.value, user: caller?.locale,
            acceptLanguage: request.headers[.acceptLanguage])
        var query: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
        return ConsoleRequest(
            app: app, caller: caller, source: context.source, language: language,
            csrf: ConsoleSession.csrfToken(for: secret), secure: secure,
            target: request.uri.description, query: query,
            back: Self.samePage(request.headers[.referer], host: request.head.authority),
            cookies: cookies)
    }

    /// The path and query of `referer` when it is a page of this host; `/` otherwise.
    static func samePage(_ referer: String?, host: String?) -> String {
        guard let referer, let url = URLComponents(string: referer),
            url.host.map({ h in
                host?.split(separator: ":").first.map(String.init) == h
            }) == true, let path = url.percentEncodedPath.isEmpty ? nil : url.percentEncodedPath
        else { return "/" }
        return ConsoleSignIn.safeNext(path + (url.percentEncodedQuery.map { "?" + $0 } ?? ""))
    }

    /// The id at `index` in the path (`/terminals/{id}/…` at 1); a path whose segment is no id names no `what`.
    func id(_ what: String, at index: Int = 1) throws -> UUID {
        let parts = target.split(separator: "?")[0].split(separator: "/")
        guard parts.count > index, let id = UUID(uuidString: String(parts[index])) else {
            throw ServiceError.notFound(what)
        }
        return id
    }

    /// The query parameter, trimmed; nil when missing or blank.
    func parameter(_ name: String) -> String? {
        guard let value = query[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }
}

extension HTTPField.Name {
    static let xForwardedProto = Self("X-Forwarded-Proto")!
}
