import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// `/account`: the signed-in user's password and authenticator, and the TOTP step-up destructive actions ask for.
struct ConsoleAccount {
    let routes: ConsoleRoutes

    func add(to router: Router<AppRequestContext>) {
        routes.page("/account", on: router) { _, console in page(console) }
        routes.action("/account/password", on: router) { form, _, console in
            try await console.app.authentication.changePassword(
                try console.signedIn(), current: form.fields["current_password"] ?? "",
                new: form.fields["new_password"] ?? "", totp: form["totp"])
            return page(console, notice: console.t("Your password was changed. Your other sessions were signed out."))
        }
        routes.action("/account/totp", on: router) { form, _, console in
            let enrolment = try await console.app.authentication.beginTOTP(
                try console.signedIn(), password: form.fields["password"] ?? "", totp: form["totp"])
            return enrolPage(enrolment, console)
        }
        routes.action("/account/totp/confirm", on: router) { form, _, console in
            try await console.app.authentication.confirmTOTP(try console.signedIn(), code: form["totp"] ?? "")
            return page(console, notice: console.t("Your authenticator is set up. Sign-ins now ask for its code."))
        }
        routes.action("/verify-totp", on: router) { form, _, console in
            try await console.app.authentication.verifyTOTP(try console.signedIn(), code: form["totp"] ?? "")
            return ConsolePage.redirect(ConsoleSignIn.safeNext(form["next"]))
        }
    }

    private func page(_ console: ConsoleRequest, notice: String? = nil) -> Response {
        let t = console.t
        let content: HTML = """
            \(notice.map { HTML("<div class=\"notice ok\" role=\"status\"><p>\($0)</p></div>") } ?? "")
            <div class="grid">
            <section class="card"><h2>\(t("Change password"))</h2>
            <form method="post" action="/account/password" class="stack">\(console.csrfField)
            <label for="current_password">\(t("Current password"))</label>
            <input id="current_password" name="current_password" type="password" autocomplete="current-password" required>
            <label for="new_password">\(t("New password"))</label>
            <input id="new_password" name="new_password" type="password" autocomplete="new-password" required minlength="12">
            <label for="password-totp">\(t("Authenticator code (if enabled)"))</label>
            <input id="password-totp" name="totp" inputmode="numeric" autocomplete="one-time-code" maxlength="6">
            <button type="submit">\(t("Change password"))</button>
            </form></section>
            <section class="card"><h2>\(t("Authenticator app"))</h2>
            <p>\(t("Set up an authenticator app (or replace the one you use) for two-step sign-in."))</p>
            <form method="post" action="/account/totp" class="stack">\(console.csrfField)
            <label for="totp-password">\(t("Password"))</label>
            <input id="totp-password" name="password" type="password" autocomplete="current-password" required>
            <label for="totp-current">\(t("Current code (if an authenticator is already set up)"))</label>
            <input id="totp-current" name="totp" inputmode="numeric" autocomplete="one-time-code" maxlength="6">
            <button type="submit">\(t("Set up an authenticator"))</button>
            </form></section>
            \(verifyForm(console, next: "/account"))
            </div>
            """
        return ConsolePage.render(t("Your account"), content, for: console)
    }

    private func enrolPage(_ enrolment: Authentication.TOTPEnrolment, _ console: ConsoleRequest) -> Response {
        let t = console.t
        let qr =
            (try? QRCode(enrolment.uri).svg(moduleSize: 5, title: t("QR code for your authenticator app")))
            .map { HTML(stringLiteral: $0) } ?? ""
        let content: HTML = """
            <div class="card narrow">
            <p>\(t("Scan this code with your authenticator app, or type the key by hand."))</p>
            <div class="qr">\(qr)</div>
            <p>\(t("Key")): <code class="secret">\(enrolment.secret)</code></p>
            <form method="post" action="/account/totp/confirm" class="stack">\(console.csrfField)
            <label for="confirm-totp">\(t("Code shown by the app"))</label>
            <input id="confirm-totp" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required autofocus>
            <button type="submit">\(t("Confirm"))</button>
            </form></div>
            """
        return ConsolePage.render(t("Set up an authenticator"), content, for: console)
    }
}

extension ConsoleAccount {
    /// The step-up form: a fresh code opens the window for destructive actions in this session.
    static func verifyForm(_ console: ConsoleRequest, next: String) -> HTML {
        let t = console.t
        return """
            <section class="card"><h2>\(t("Confirm it is you"))</h2>
            <p>\(t("Destructive actions need a code from your authenticator entered in the last few minutes."))</p>
            <form method="post" action="/verify-totp" class="stack">\(console.csrfField)
            <input type="hidden" name="next" value="\(next)">
            <label for="step-up">\(t("Authenticator code"))</label>
            <input id="step-up" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6" required>
            <button type="submit">\(t("Verify"))</button>
            </form></section>
            """
    }
}

extension ConsoleAccount {
    fileprivate func verifyForm(_ console: ConsoleRequest, next: String) -> HTML {
        Self.verifyForm(console, next: next)
    }
}
