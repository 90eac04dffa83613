import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// Merchants and stores: `/api/v1/merchants`, `/api/v1/stores`.
struct OrganisationRoutes {
    let app: PosGuard

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("merchants") { request, context in
            let query = ListingQuery(request)
            let page = try await app.merchants.list(
                after: try query.cursor, limit: try query.limit, by: try context.requireCaller())
            return JSONResponse(Listing(page))
        }
        api.post("merchants") { request, context in
            var request = request
            let merchant = try await app.merchants.create(
                try await request.decodeJSON(MerchantDirectory.Draft.self), by: try context.requireCaller())
            return JSONResponse(merchant, status: .created, location: "/api/v1/merchants/\(merchant.id.uuidString)")
        }
        api.get("merchants/{id}") { _, context in
            JSONResponse(try await app.merchants.find(try context.parameters.id(), by: try context.requireCaller()))
        }
        api.patch("merchants/{id}") { request, context in
            var request = request
            let id = try context.parameters.id()
            let patch = try await request.decodeJSON(MerchantDirectory.Patch.self)
            return JSONResponse(try await app.merchants.update(id, patch, by: try context.requireCaller()))
        }

        api.get("stores") { request, context in
            let query = ListingQuery(request)
            let page = try await app.stores.list(
                merchant: try query.uuid("merchant_id"), after: try query.cursor, limit: try query.limit,
                by: try context.requireCaller())
            return JSONResponse(Listing(page))
        }
        api.post("stores") { request, context in
            var request = request
            let store = try await app.stores.create(
                try await request.decodeJSON(StoreDirectory.Draft.self), by: try context.requireCaller())
            return JSONResponse(store, status: .created, location: "/api/v1/stores/\(store.id.uuidString)")
        }
        api.get("stores/{id}") { _, context in
            JSONResponse(try await app.stores.find(try context.parameters.id(), by: try context.requireCaller()))
        }
        api.patch("stores/{id}") { request, context in
            var request = request
            let id = try context.parameters.id()
            let patch = try await request.decodeJSON(StoreDirectory.Patch.self)
            return JSONResponse(try await app.stores.update(id, patch, by: try context.requireCaller()))
        }
    }
}
