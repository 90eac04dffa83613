import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// Signing in and out of the console, and choosing its language.
struct ConsoleSignIn {
    let routes: ConsoleRoutes

    func add(to router: Router<AppRequestContext>) {
        routes.action("/sign-in", on: router, signedIn: false) { form, _, console in
            let email = form["email"] ?? ""
            do {
                let signedIn = try await console.app.authentication.signIn(
                    email: email, password: form.fields["password"] ?? "", totp: form["totp"],
                    source: console.source)
                let session = ConsoleSession.cookie(
                    ConsoleSession.session, signedIn.token, maxAge: Int(Authentication.sessionLifetime),
                    secure: console.secure)
                return ConsolePage.redirect(Self.safeNext(form["next"]), cookies: [session])
            } catch ServiceError.totpRequired {
                return Self.form(console, email: email, next: form["next"], asksCode: true, status: .unauthorized)
            } catch let error as ServiceError {
                let message: String
                switch error {
                case .throttled(let seconds):
                    message = console.t("Too many failed sign-ins. Wait before trying again:") + " \(seconds) s"
                case .unauthenticated:
                    message = console.t("The email or password is not right.")
                default:
                    message = console.t("The code is not right.")
                }
                return Self.form(
                    console, email: email, next: form["next"], asksCode: form["totp"] != nil, error: message,
                    status: .unauthorized)
            } catch let failure as ValidationFailure where failure.errors.contains(where: { $0.field == "totp" }) {
                return Self.form(
                    console, email: email, next: form["next"], asksCode: true,
                    error: console.t("The code is not right."), status: .unauthorized)
            }
        }
        routes.action("/sign-out", on: router) { _, _, console in
            try await console.app.authentication.signOut(try console.signedIn())
            return ConsolePage.redirect(
                "/", cookies: [ConsoleSession.expired(ConsoleSession.session, secure: console.secure)])
        }
        router.get("/language/{locale}") { request, context in
            let chosen = User.Locale(rawValue: context.parameters.get("locale") ?? "") ?? .en
            let back = request.uri.queryParameters["back"].map(String.init)
            let secure = request.uri.scheme == .https
            return ConsolePage.redirect(
                Self.safeNext(back),
                cookies: [
                    ConsoleSession.cookie(ConsoleLanguage.cookie, chosen.rawValue, maxAge: 365 * 86400, secure: secure)
                ])
        }
    }

    /// The sign-in form, asking for the authenticator code when the account has one.
    static func form(
        _ console: ConsoleRequest, email: String = "", next: String? = nil, asksCode: Bool = false,
        error: String? = nil, status: HTTPResponse.Status = .ok
    ) -> Response {
        let t = console.t
        let code: HTML =
            asksCode
            ? """
            <p class="hint">\(t("This account uses an authenticator app. Enter your password again with the current code."))</p>
            <label for="totp">\(t("Authenticator code"))</label>
            <input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
            """
            : ""
        let content: HTML = """
            \(error.map { HTML("<div class=\"notice error\" role=\"alert\"><p>\($0)</p></div>") } ?? "")
            <form method="post" action="/sign-in" class="card narrow">
            \(console.csrfField)
            <input type="hidden" name="next" value="\(next ?? "/")">
            <label for="email">\(t("Email"))</label>
            <input id="email" name="email" type="email" autocomplete="username" value="\(email)" required \(asksCode ? "" : "autofocus")>
            <label for="password">\(t("Password"))</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required \(asksCode ? "autofocus" : "")>
            \(code)
            <button type="submit">\(t("Sign in"))</button>
            </form>
            """
        return ConsolePage.render(t("Sign in"), content, for: console, status: status)
    }

    /// Only a path on this site: a link cannot send someone signing in to another. Browsers read a backslash
    /// as a slash and drop tabs and line breaks from a URL (`/<TAB>/evil.example` becomes `//evil.example`,
    /// another site), so only visible ASCII without a backslash is taken, and nothing that starts `//`.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"),
            next.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "\\") })
        else { return "/" }
        return next
    }
}
