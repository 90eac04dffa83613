import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// The terminal registry: `/api/v1/terminals`.
struct TerminalRoutes {
    let app: PosGuard

    /// The most a CSV import may hold (about 300,000 terminals).
    static let importLimit = 32 << 20

    struct Imported: Encodable { var imported: Int }

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("terminals") { request, context in
            let query = ListingQuery(request)
            let filter = TerminalFilter(
                state: try query.enumeration("state", as: TerminalState.self), storeID: try query.uuid("store_id"),
                merchantID: try query.uuid("merchant_id"), search: try query.text("q", maxLength: 64))
            let page = try await app.terminals.list(
                filter, after: try query.cursor, limit: try query.limit, by: try context.requireCaller())
            return JSONResponse(Listing(page))
        }
        api.post("terminals") { request, context in
            var request = request
            let terminal = try await app.terminals.register(
                try await request.decodeJSON(TerminalRegistry.Registration.self), by: try context.requireCaller())
            return JSONResponse(terminal, status: .created, location: "/api/v1/terminals/\(terminal.id.uuidString)")
        }
        api.post("terminals/import") { request, context in
            var request = request
            let text = try await request.text(limit: Self.importLimit)
            let count = try await app.terminals.importCSV(text, by: try context.requireCaller())
            return JSONResponse(Imported(imported: count), status: .created)
        }
        api.get("terminals/{id}") { _, context in
            JSONResponse(try await app.terminals.find(try context.parameters.id(), by: try context.requireCaller()))
        }
        api.patch("terminals/{id}") { request, context in
            var request = request
            let id = try context.parameters.id()
            let patch = try await request.decodeJSON(TerminalRegistry.Patch.self)
            return JSONResponse(try await app.terminals.update(id, patch, by: try context.requireCaller()))
        }
        api.post("terminals/{id}/transitions") { request, context in
            var request = request
            let id = try context.parameters.id()
            let move = try await request.decodeJSON(TerminalRegistry.Move.self)
            return JSONResponse(try await app.terminals.move(id, move, by: try context.requireCaller()))
        }
        api.get("terminals/{id}/history") { _, context in
            let history = try await app.terminals.history(try context.parameters.id(), by: try context.requireCaller())
            return JSONResponse(Listing(Page(items: history, next: nil)))
        }
    }
}
