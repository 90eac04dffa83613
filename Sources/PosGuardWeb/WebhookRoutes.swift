import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// Webhook subscriptions: `/api/v1/webhooks`.
struct WebhookRoutes {
    let app: PosGuard

    struct Created: Encodable {
        var id: UUID
        var providerId: UUID
        var merchantId: UUID?
        var url: String
        var minimumSeverity: AlertSeverity
        var createdAt: Date
        /// The signing secret; shown this once.
        var secret: String
    }

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("webhooks") { _, context in
            JSONResponse(Listing(Page(items: try await app.webhooks.list(by: try context.requireCaller()), next: nil)))
        }
        api.post("webhooks") { request, context in
            var request = request
            let created = try await app.webhooks.create(
                try await request.decodeJSON(Webhooks.Draft.self), by: try context.requireCaller())
            let w = created.webhook
            return JSONResponse(
                Created(
                    id: w.id, providerId: w.providerID, merchantId: w.merchantID, url: w.url,
                    minimumSeverity: w.minimumSeverity,
                    createdAt: w.createdAt, secret: created.secret),
                status: .created, location: "/api/v1/webhooks/\(w.id.uuidString)")
        }
        api.delete("webhooks/{id}") { _, context in
            try await app.webhooks.delete(try context.parameters.id(), by: try context.requireCaller())
            return Response(status: .noContent)
        }
        api.post("webhooks/{id}/test") { _, context in
            // Queued for the background sender: the answer never waits on the receiver.
            let delivery = try await app.webhooks.test(try context.parameters.id(), by: try context.requireCaller())
            return JSONResponse(delivery, status: .accepted)
        }
        api.get("webhooks/{id}/deliveries") { request, context in
            let query = ListingQuery(request)
            let page = try await app.webhooks.deliveries(
                of: try context.parameters.id(), after: try query.cursor, limit: try query.limit,
                by: try context.requireCaller())
            return JSONResponse(Listing(page))
        }
    }
}
