import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// Tuning detection and reading what terminals sent: detection settings per merchant, store and terminal,
/// store rosters, enrollment codes, a terminal's events.
struct DetectionRoutes {
    let app: PosGuard

    struct IssuedCode: Encodable {
        var code: String
        var expiresAt: Date
    }

    struct EventView: Encodable {
        var seq: Int64
        var type: String
        var at: Date
        var receivedAt: Date
        var event: JSONValue
    }

    func add(to api: RouterGroup<AppRequestContext>) {
        for level in DetectionSettings.Level.allCases {
            api.get("\(level.rawValue)s/{id}/detection-settings") { _, context in
                JSONResponse(
                    try await app.detection.settings(
                        level, try context.parameters.id(), by: try context.requireCaller()))
            }
            api.put("\(level.rawValue)s/{id}/detection-settings") { request, context in
                var request = request
                let id = try context.parameters.id()
                let overrides = try await request.decodeJSON(DetectionOverrides.self)
                return JSONResponse(
                    try await app.detection.setSettings(level, id, overrides, by: try context.requireCaller()))
            }
        }
        api.get("stores/{id}/operators") { _, context in
            let roster = try await app.detection.roster(
                of: try context.parameters.id(), by: try context.requireCaller())
            return JSONResponse(Listing(Page(items: roster, next: nil)))
        }
        api.put("stores/{id}/operators/{operator_id}") { request, context in
            var request = request
            let store = try context.parameters.id()
            let draft = try await request.decodeJSON(DetectionSetup.OperatorDraft.self)
            let op = try await app.detection.putOperator(
                try context.parameters.text("operator_id"), draft, store: store, by: try context.requireCaller())
            return JSONResponse(op)
        }
        api.delete("stores/{id}/operators/{operator_id}") { _, context in
            try await app.detection.removeOperator(
                try context.parameters.text("operator_id"), store: try context.parameters.id(),
                by: try context.requireCaller())
            return Response(status: .noContent)
        }
        api.post("terminals/{id}/enrollment-code") { _, context in
            let issued = try await app.enrollment.issueCode(
                for: try context.parameters.id(), by: try context.requireCaller())
            return JSONResponse(IssuedCode(code: issued.code, expiresAt: issued.expiresAt), status: .created)
        }
        api.get("terminals/{id}/events") { request, context in
            let query = ListingQuery(request)
            let afterSeq = try query.integer("after_seq") ?? 0
            let stored = try await app.ingest.events(
                of: try context.parameters.id(), after: afterSeq, limit: try query.limit,
                by: try context.requireCaller())
            let views = stored.map {
                EventView(
                    seq: $0.seq, type: $0.type, at: $0.at, receivedAt: $0.receivedAt,
                    event: (try? JSONDecoder().decode(JSONValue.self, from: Data($0.body.utf8))) ?? .null)
            }
            return JSONResponse(Listing(Page(items: views, next: nil)))
        }
    }
}
