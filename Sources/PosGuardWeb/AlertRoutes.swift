import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// Alerts: `/api/v1/alerts`.
struct AlertRoutes {
    let app: PosGuard

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("alerts") { request, context in
            let query = ListingQuery(request)
            let filter = AlertFilter(
                terminalID: try query.uuid("terminal_id"),
                status: try query.enumeration("status", as: AlertStatus.self),
                severity: try query.enumeration("severity", as: AlertSeverity.self),
                rule: try query.enumeration("rule", as: RuleID.self))
            let page = try await app.alerts.list(
                filter, after: try query.cursor, limit: try query.limit, by: try context.requireCaller())
            return JSONResponse(Listing(page))
        }
        api.get("alerts/rules") { _, context in
            JSONResponse(Listing(Page(items: try await app.alerts.rules(by: try context.requireCaller()), next: nil)))
        }
        api.get("alerts/{id}") { _, context in
            JSONResponse(try await app.alerts.find(try context.parameters.id(), by: try context.requireCaller()))
        }
        api.post("alerts/{id}/acknowledge") { _, context in
            JSONResponse(try await app.alerts.acknowledge(try context.parameters.id(), by: try context.requireCaller()))
        }
        api.post("alerts/{id}/resolve") { request, context in
            var request = request
            let id = try context.parameters.id()
            let resolution = try await request.decodeJSON(AlertDesk.Resolution.self)
            return JSONResponse(try await app.alerts.resolve(id, resolution, by: try context.requireCaller()))
        }
    }
}
