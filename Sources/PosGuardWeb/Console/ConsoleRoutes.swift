import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// The console: server-rendered pages for people, at `/`, over the same services as the API — every action
/// passes the same permission checks and publishes the same changes as its API route.
struct ConsoleRoutes {
    let app: PosGuard
    let settings: HTTPSettings
    let locker: EvidenceLocker

    typealias Page = @Sendable (Request, ConsoleRequest) async throws -> Response
    typealias Action = @Sendable (ConsoleForm, Request, ConsoleRequest) async throws -> Response

    func add(to router: Router<AppRequestContext>) {
        ConsoleAssets.add(to: router)
        ConsoleSignIn(routes: self).add(to: router)
        ConsoleOverview(routes: self).add(to: router)
        ConsoleTerminals(routes: self).add(to: router)
        ConsoleAlerts(routes: self).add(to: router)
        ConsoleIncidents(routes: self).add(to: router)
        ConsoleEvidence(routes: self).add(to: router)
        ConsoleOrganisation(routes: self).add(to: router)
        ConsoleOrganisationForms(routes: self).add(to: router)
        ConsoleScreening(routes: self).add(to: router)
        ConsoleAccount(routes: self).add(to: router)
    }

    /// A page for signed-in users; a signed-out visitor is sent to sign in, and comes back after.
    func page(_ path: RouterPath, on router: Router<AppRequestContext>, _ body: @escaping Page) {
        router.get(path) { request, context in
            let console = await ConsoleRequest.make(request, context: context, app: app, settings: settings)
            guard console.caller != nil else { return Self.signInFirst(console) }
            do {
                return try await body(request, console)
            } catch {
                return ConsolePage.error(error, for: console, context: context)
            }
        }
    }

    /// A form's target: signed in, with the page's CSRF token (403 without it), then `body`.
    func action(
        _ path: RouterPath, on router: Router<AppRequestContext>, signedIn: Bool = true, _ body: @escaping Action
    ) {
        router.post(path) { request, context in
            var request = request
            let console = await ConsoleRequest.make(request, context: context, app: app, settings: settings)
            do {
                let form = try await ConsoleForm(&request)
                guard let token = form.fields["csrf_token"], ConsoleSession.same(token, console.csrf) else {
                    return ConsolePage.error(
                        ServiceError.forbidden(
                            "the form is out of date or came from another site: open the page again"),
                        for: console, context: context)
                }
                guard !signedIn || console.caller != nil else { return Self.signInFirst(console) }
                return try await body(form, request, console)
            } catch {
                return ConsolePage.error(error, for: console, context: context)
            }
        }
    }

    private static func signInFirst(_ console: ConsoleRequest) -> Response {
        let next = console.target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
        return ConsolePage.redirect("/?next=\(next)", cookies: console.cookies)
    }
}
