import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// The audit log: `/api/v1/audit`.
struct AuditRoutes {
    let app: PosGuard

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("audit") { request, context in
            let query = ListingQuery(request)
            let page = try await app.auditLog.list(
                target: try query.uuid("target_id"), after: try query.cursor, limit: try query.limit,
                by: try context.requireCaller())
            return JSONResponse(Listing(page))
        }
    }
}
