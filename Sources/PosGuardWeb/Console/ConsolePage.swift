import Foundation
import HTTPTypes
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// The frame of every console page — header, navigation by role, language switcher — and the answers pages give.
enum ConsolePage {
    /// No inline script or style anywhere: everything the page runs or wears is served by PosGuard itself.
    static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

    static func render(
        _ title: String, _ content: HTML, for request: ConsoleRequest, status: HTTPResponse.Status = .ok,
        active: String? = nil
    ) -> Response {
        let t = request.t
        let language = request.language
        let page: HTML = """
            <!doctype html>
            <html lang="\(language.tag)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · PosGuard</title>
            <link rel="stylesheet" href="/assets/console.css">
            <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
            <script src="/assets/console.js" defer></script>
            </head>
            <body>
            <a class="skip" href="#main">\(t("Skip to content"))</a>
            <header class="top">
            <a class="brand" href="/">PosGuard</a>
            \(navigation(request, active: active))
            <div class="top-end">
            \(languageSwitch(request))
            \(account(request))
            </div>
            </header>
            <main id="main" tabindex="-1">
            <h1>\(title)</h1>
            \(content)
            </main>
            </body>
            </html>
            """
        return html(page, status: status, cookies: request.cookies)
    }

    static func html(_ page: HTML, status: HTTPResponse.Status = .ok, cookies: [Cookie] = []) -> Response {
        var response = Response(
            status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: page.description)))
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    static var headers: HTTPFields {
        [
            .contentType: "text/html; charset=utf-8", .contentSecurityPolicy: contentSecurityPolicy,
            .cacheControl: "no-store", .referrerPolicy: "same-origin", .xFrameOptions: "DENY",
        ]
    }

    /// After a form: see the result at `location` (303, so a reload does not post again).
    static func redirect(_ location: String, cookies: [Cookie] = []) -> Response {
        var response = Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
        for cookie in cookies { response.setCookie(cookie) }
        return response
    }

    /// What went wrong, in the page's language, with the status the API would answer; what the server did not
    /// expect is logged for the operator, as the API's failures are.
    static func error(_ error: any Error, for request: ConsoleRequest, context: AppRequestContext) -> Response {
        let problem = ProblemMiddleware<AppRequestContext>.problem(for: error)
        if problem.status == .internalServerError || problem.status == .serviceUnavailable {
            context.logger.error("console request failed", metadata: ["error": "\(String(reflecting: error))"])
        }
        let t = request.t
        var items: [HTML] = []
        for field in problem.errors ?? [] {
            items.append("<li><strong>\(field.field)</strong> \(field.message)</li>")
        }
        let content: HTML = """
            <div class="notice error" role="alert">
            <p>\(t(problem.title))\(problem.detail.map { ": " + $0 } ?? "")</p>
            \(items.isEmpty ? "" : HTML("<ul>\(items)</ul>"))
            </div>
            \(problem.type.hasSuffix(":mfa-required") && request.caller != nil ? ConsoleAccount.verifyForm(request, next: request.back) : "")
            <p><a href="\(request.back)">\(t("Back"))</a> · <a href="/">\(t("Overview"))</a></p>
            """
        return render(t("Something went wrong"), content, for: request, status: problem.status)
    }

    private static func navigation(_ request: ConsoleRequest, active: String?) -> HTML {
        guard let caller = request.caller else { return "" }
        let t = request.t
        var items: [(String, String)] = [("/", t("Overview"))]
        if caller.role.readsOrganisation {
            items += [("/terminals", t("Terminals")), ("/alerts", t("Alerts"))]
        }
        items.append(("/incidents", t("Incidents")))
        if caller.role.readsOrganisation {
            items.append(("/stores", t("Stores")))
            if caller.role.level != .store { items.append(("/merchants", t("Merchants"))) }
        }
        if caller.may(.listUsers) { items.append(("/users", t("Users"))) }
        if caller.may(.manageWebhooks) { items.append(("/webhooks", t("Webhooks"))) }
        if caller.role.readsOrganisation { items.append(("/screening", t("Screening"))) }
        let links = items.map { path, label -> HTML in
            path == active
                ? "<li><a href=\"\(path)\" aria-current=\"page\">\(label)</a></li>"
                : "<li><a href=\"\(path)\">\(label)</a></li>"
        }
        return "<nav aria-label=\"\(t("Main"))\"><ul>\(links)</ul></nav>"
    }

    private static func languageSwitch(_ request: ConsoleRequest) -> HTML {
        let back = request.target
        let choices: [(User.Locale, String)] = [(.en, "English"), (.zhHans, "简体中文")]
        let links = choices.map { locale, name -> HTML in
            let href =
                "/language/\(locale.rawValue)?back="
                + (back.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")
            return locale == request.language.locale
                ? "<li><a href=\"\(href)\" lang=\"\(locale.rawValue)\" hreflang=\"\(locale.rawValue)\" aria-current=\"true\">\(name)</a></li>"
                : "<li><a href=\"\(href)\" lang=\"\(locale.rawValue)\" hreflang=\"\(locale.rawValue)\">\(name)</a></li>"
        }
        return "<ul class=\"languages\" aria-label=\"\(request.t("Language"))\">\(links)</ul>"
    }

    private static func account(_ request: ConsoleRequest) -> HTML {
        guard let caller = request.caller else { return "" }
        let t = request.t
        return """
            <div class="account">
            <a href="/account">\(caller.name)</a>
            <form method="post" action="/sign-out">\(request.csrfField)<button type="submit" class="link">\(t("Sign out"))</button></form>
            </div>
            """
    }
}

extension HTTPField.Name {
    static let referrerPolicy = Self("Referrer-Policy")!
    static let xFrameOptions = Self("X-Frame-Options")!
}
