import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// Users: `/api/v1/users`.
struct UserRoutes {
    let app: PosGuard

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("users") { request, context in
            let query = ListingQuery(request)
            let page = try await app.users.list(
                after: try query.cursor, limit: try query.limit, by: try context.requireCaller())
            return JSONResponse(Listing(page))
        }
        api.post("users") { request, context in
            var request = request
            let user = try await app.users.create(
                try await request.decodeJSON(UserDirectory.Draft.self), by: try context.requireCaller())
            return JSONResponse(user, status: .created, location: "/api/v1/users/\(user.id.uuidString)")
        }
        api.get("users/{id}") { _, context in
            JSONResponse(try await app.users.find(try context.parameters.id(), by: try context.requireCaller()))
        }
        api.patch("users/{id}") { request, context in
            var request = request
            let id = try context.parameters.id()
            let patch = try await request.decodeJSON(UserDirectory.Patch.self)
            return JSONResponse(try await app.users.update(id, patch, by: try context.requireCaller()))
        }
    }
}
