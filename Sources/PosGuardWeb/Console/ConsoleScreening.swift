import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// `/screening`: the gateway's recent declines (masked cards only) and a form to try a screening request.
struct ConsoleScreening {
    let routes: ConsoleRoutes

    func add(to router: Router<AppRequestContext>) {
        routes.page("/screening", on: router) { _, console in try await page(console, tried: nil) }
        routes.action("/screening", on: router) { form, _, console in
            guard let amount = form["amount"].flatMap(Double.init), amount >= 0, amount < 1e12 else {
                throw ValidationFailure([FieldError("amount", "must be a number such as 12.50")])
            }
            let request = ScreeningRoutes.Request(
                tid: form["tid"] ?? "", mid: form["mid"] ?? "",
                amountMinor: Int64((amount * 100).rounded()), currency: (form["currency"] ?? "").uppercased())
            let decision = try ScreeningRoutes.screen(
                request, by: try console.signedIn(), channel: "console", on: console.app)
            return try await page(console, tried: decision)
        }
    }

    private func page(_ console: ConsoleRequest, tried: ScreeningDecision?) async throws -> Response {
        let caller = try console.signedIn()
        let t = console.t
        let page = try await console.app.screening.declines(
            terminal: nil, after: console.parameter("cursor").flatMap(Cursor.init(token:)), limit: 50, by: caller)
        let rows = page.items.map { decline -> [HTML] in
            [
                console.time(decline.at), "\(decline.tid)", "\(decline.mid)",
                "\(console.language.number(Double(decline.amountMinor) / 100, fractionDigits: 2)) \(decline.currency)",
                "\(decline.panMasked ?? "—")", "\(decline.responseCode)",
                "\(decline.reasons.map { t(ConsoleRequest.words($0.rawValue)) }.joined(separator: ", "))",
            ]
        }
        var result: HTML = ""
        if let tried {
            result =
                tried.approve
                ? "<div class=\"notice ok\" role=\"status\"><p>\(t("Approve")) (00)</p></div>"
                : """
                <div class="notice error" role="status"><p>\(t("Decline")) (\(tried.responseCode)): \
                \(tried.reasons.map { t(ConsoleRequest.words($0.rawValue)) }.joined(separator: ", "))</p></div>
                """
        }
        var tryForm: HTML = ""
        if caller.may(.screenPayments) {
            tryForm = """
                <section class="card"><h2>\(t("Try a screening request"))</h2>
                \(result)
                <form method="post" action="/screening" class="stack">\(console.csrfField)
                <label for="tid">TID</label><input id="tid" name="tid" required maxlength="8" autocomplete="off">
                <label for="mid">MID</label><input id="mid" name="mid" required maxlength="15" autocomplete="off">
                <label for="amount">\(t("Amount"))</label><input id="amount" name="amount" required inputmode="decimal" value="10.00">
                <label for="currency">\(t("Currency"))</label><input id="currency" name="currency" required maxlength="3" value="EUR">
                <button type="submit">\(t("Screen"))</button>
                </form></section>
                """
        }
        let content: HTML = """
            \(tryForm)
            <section><h2>\(t("Recent declines"))</h2>
            \(console.table(["When", "TID", "MID", "Amount", "Card", "Code", "Reasons"], rows, empty: "No declines."))
            \(console.nextLink(page, path: "/screening"))</section>
            """
        return ConsolePage.render(t("Screening"), content, for: console, active: "/screening")
    }
}
