import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// Incidents: `/api/v1/incidents`, an incident opened from an alert, and the providers' response plans.
struct IncidentRoutes {
    let app: PosGuard

    /// An incident with its plan: the incident's own fields, then `tasks` and `granted_to`.
    struct IncidentView: Encodable {
        var details: IncidentDesk.Details

        enum CodingKeys: String, CodingKey { case tasks, grantedTo }

        func encode(to encoder: any Encoder) throws {
            try details.incident.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(details.tasks, forKey: .tasks)
            try container.encode(details.grantedTo, forKey: .grantedTo)
        }
    }

    struct Note: Decodable { var text: String }
    struct Grant: Decodable { var userID: UUID }
    struct Closing: Decodable { var lessonsLearned: String }
    struct Template: Codable { var steps: [IncidentTemplate.Step] }

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("incidents") { request, context in
            let query = ListingQuery(request)
            let page = try await app.incidents.list(
                status: try query.enumeration("status", as: IncidentStatus.self), after: try query.cursor,
                limit: try query.limit, by: try context.requireCaller())
            return JSONResponse(Listing(page))
        }
        api.post("incidents") { request, context in
            var request = request
            let caller = try context.requireCaller()
            let draft = try await request.decodeJSON(IncidentDesk.Draft.self)
            return created(try await app.incidents.open(draft, by: caller))
        }
        api.post("alerts/{id}/incident") { request, context in
            var request = request
            let caller = try context.requireCaller()
            let id = try context.parameters.id()
            let draft = try await request.decodeJSON(IncidentDesk.Draft.self)
            return created(try await app.incidents.open(fromAlert: id, draft, by: caller))
        }
        api.get("incidents/{id}") { _, context in
            JSONResponse(
                IncidentView(
                    details: try await app.incidents.find(try context.parameters.id(), by: try context.requireCaller()))
            )
        }
        api.patch("incidents/{id}") { request, context in
            var request = request
            let (id, caller) = try await changing(context)
            let patch = try await request.decodeJSON(IncidentDesk.Patch.self)
            return JSONResponse(IncidentView(details: try await app.incidents.update(id, patch, by: caller)))
        }
        api.get("incidents/{id}/tasks") { _, context in
            let details = try await app.incidents.find(try context.parameters.id(), by: try context.requireCaller())
            return JSONResponse(Listing(Page(items: details.tasks, next: nil)))
        }
        api.patch("incidents/{id}/tasks/{task_id}") { request, context in
            var request = request
            let (id, caller) = try await changing(context)
            let end = try await request.decodeJSON(IncidentDesk.TaskEnd.self)
            return JSONResponse(
                try await app.incidents.endTask(try context.parameters.id("task_id"), of: id, end, by: caller))
        }
        api.get("incidents/{id}/timeline") { _, context in
            let entries = try await app.incidents.timeline(try context.parameters.id(), by: try context.requireCaller())
            return JSONResponse(Listing(Page(items: entries, next: nil)))
        }
        api.post("incidents/{id}/notes") { request, context in
            var request = request
            let (id, caller) = try await changing(context)
            let note = try await request.decodeJSON(Note.self)
            return JSONResponse(try await app.incidents.note(note.text, on: id, by: caller), status: .created)
        }
        api.post("incidents/{id}/access") { request, context in
            var request = request
            let (id, caller) = try await changing(context)
            let grant = try await request.decodeJSON(Grant.self)
            try await app.incidents.grant(id, to: grant.userID, by: caller)
            return Response(status: .noContent)
        }
        api.delete("incidents/{id}/access/{user_id}") { _, context in
            let (id, caller) = try await changing(context)
            try await app.incidents.revoke(id, from: try context.parameters.id("user_id"), by: caller)
            return Response(status: .noContent)
        }
        api.post("incidents/{id}/close") { request, context in
            var request = request
            let (id, caller) = try await changing(context)
            let closing = try await request.decodeJSON(Closing.self)
            return JSONResponse(try await app.incidents.close(id, lessons: closing.lessonsLearned, by: caller))
        }
        api.get("incident-templates/{type}") { _, context in
            let type = try incidentType(context)
            return JSONResponse(
                Template(steps: try await app.incidents.template(type, by: try context.requireCaller()).steps))
        }
        api.put("incident-templates/{type}") { request, context in
            var request = request
            let caller = try context.requireCaller()
            let type = try incidentType(context)
            let body = try await request.decodeJSON(Template.self)
            let saved = try await app.incidents.setTemplate(IncidentTemplate(steps: body.steps), for: type, by: caller)
            return JSONResponse(Template(steps: saved.steps))
        }
    }

    private func created(_ details: IncidentDesk.Details) -> JSONResponse<IncidentView> {
        JSONResponse(
            IncidentView(details: details), status: .created,
            location: "/api/v1/incidents/\(details.incident.id.uuidString)")
    }

    /// The incident a change is for and who asks; a police liaison officer is refused here, before the body is
    /// read (403 for an incident granted to them, 404 for any other).
    func changing(_ context: AppRequestContext) async throws -> (UUID, Caller) {
        let id = try context.parameters.id()
        let caller = try context.requireCaller()
        try await app.incidents.refuseReadOnly(id, by: caller)
        return (id, caller)
    }

    private func incidentType(_ context: AppRequestContext) throws -> IncidentType {
        let text = try context.parameters.text("type")
        guard let type = IncidentType(rawValue: text) else { throw ServiceError.notFound("incident type") }
        return type
    }
}
