import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// Remote commands: `/api/v1/terminals/{id}/commands`.
struct CommandRoutes {
    let app: PosGuard

    struct Challenge: Decodable { var challenge: String }

    struct UnlockCode: Encodable {
        var code: String
        var validUntil: Date
    }

    func add(to api: RouterGroup<AppRequestContext>) {
        api.post("terminals/{id}/unlock-code") { request, context in
            var request = request
            let id = try context.parameters.id()
            let body = try await request.decodeJSON(Challenge.self)
            let issued = try await app.commands.unlockCode(
                for: id, challenge: body.challenge, by: try context.requireCaller())
            return JSONResponse(UnlockCode(code: issued.code, validUntil: issued.validUntil), status: .created)
        }
        api.post("terminals/{id}/commands") { request, context in
            var request = request
            let id = try context.parameters.id()
            let body = try await request.decodeJSON(RemoteCommands.Request.self)
            let command = try await app.commands.issue(body, to: id, by: try context.requireCaller())
            return JSONResponse(command, status: .created)
        }
        api.get("terminals/{id}/commands") { _, context in
            let commands = try await app.commands.list(of: try context.parameters.id(), by: try context.requireCaller())
            return JSONResponse(Listing(Page(items: commands, next: nil)))
        }
    }
}
