import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PosGuardDomain
import PosGuardServices

/// An incident's evidence: `/api/v1/incidents/{id}/evidence…` and the signed bundle
/// `/api/v1/incidents/{id}/evidence-bundle`.
///
/// An upload's body is the file itself, with its own `Content-Type`; what is known about it comes as query
/// parameters: `file_name`, `description`, `collected_by`, `collected_at` (RFC 3339) and `place`. The body
/// is streamed to disk, never gathered in memory.
struct EvidenceRoutes {
    let app: PosGuard
    let locker: EvidenceLocker

    /// The file itself, as an attachment: its hand-over to the caller is recorded first (API and console alike).
    static func content(
        _ evidenceID: UUID, of id: UUID, by caller: Caller, locker: EvidenceLocker, context: AppRequestContext
    ) async throws -> Response {
        let (item, url) = try await locker.download(evidenceID, of: id, by: caller)
        let body = try await FileIO().loadFile(path: url.path, context: context)
        return Response(
            status: .ok,
            headers: [
                .contentType: item.mediaType, .contentDisposition: "attachment; filename=\"\(item.fileName)\"",
                .eTag: "\"\(item.sha256)\"",
            ], body: body)
    }

    func add(to api: RouterGroup<AppRequestContext>) {
        api.post("incidents/{id}/evidence") { request, context in
            let (id, caller) = try await IncidentRoutes(app: app).changing(context)
            let limit = locker.settings.maxBytes
            if let length = request.headers[.contentLength].flatMap({ Int64($0) }), length > limit {
                throw Request.tooLarge(Int(limit))
            }
            let query = ListingQuery(request)
            let draft = EvidenceLocker.Draft(
                fileName: query.parameters["file_name"], mediaType: request.headers[.contentType],
                description: query.parameters["description"], collectedBy: query.parameters["collected_by"],
                collectedAt: try query.date("collected_at"), place: query.parameters["place"])
            do {
                let item = try await locker.upload(draft, to: id, by: caller) { intake in
                    for try await buffer in request.body {
                        try buffer.withUnsafeReadableBytes { try intake.write($0) }
                    }
                }
                return JSONResponse(
                    item, status: .created,
                    location: "/api/v1/incidents/\(id.uuidString)/evidence/\(item.id.uuidString)")
            } catch let tooLarge as EvidenceFiles.TooLarge {
                throw Request.tooLarge(Int(tooLarge.limit))
            }
        }
        api.get("incidents/{id}/evidence") { _, context in
            let items = try await locker.list(of: try context.parameters.id(), by: try context.requireCaller())
            return JSONResponse(Listing(Page(items: items, next: nil)))
        }
        api.get("incidents/{id}/evidence/{evidence_id}") { _, context in
            JSONResponse(
                try await locker.find(
                    try context.parameters.id("evidence_id"), of: try context.parameters.id(),
                    by: try context.requireCaller()))
        }
        api.get("incidents/{id}/evidence/{evidence_id}/content") { _, context in
            try await Self.content(
                try context.parameters.id("evidence_id"), of: try context.parameters.id(),
                by: try context.requireCaller(), locker: locker, context: context)
        }
        api.get("incidents/{id}/evidence/{evidence_id}/custody") { _, context in
            let entries = try await locker.custody(
                of: try context.parameters.id("evidence_id"), of: try context.parameters.id(),
                by: try context.requireCaller())
            return JSONResponse(Listing(Page(items: entries, next: nil)))
        }
        api.post("incidents/{id}/evidence/{evidence_id}/handovers") { request, context in
            var request = request
            let (id, caller) = try await IncidentRoutes(app: app).changing(context)
            let handover = try await request.decodeJSON(EvidenceLocker.Handover.self)
            let entry = try await locker.handOver(
                try context.parameters.id("evidence_id"), of: id, handover, by: caller)
            return JSONResponse(entry, status: .created)
        }
        api.delete("incidents/{id}/evidence/{evidence_id}") { _, context in
            let (id, caller) = try await IncidentRoutes(app: app).changing(context)
            try await locker.delete(try context.parameters.id("evidence_id"), of: id, by: caller)
            return Response(status: .noContent)
        }
        api.get("incidents/{id}/evidence-bundle") { _, context in
            let id = try context.parameters.id()
            let url = try await locker.bundle(of: id, by: try context.requireCaller())
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
            let file = try await FileIO().loadFile(path: url.path, context: context)
            // The bundle was built for this answer alone: it goes once sent, or once sending failed.
            let body = ResponseBody(contentLength: size) { writer in
                defer { try? FileManager.default.removeItem(at: url) }
                try await file.write(writer)
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: "application/zip",
                    .contentDisposition: "attachment; filename=\"incident-\(id.uuidString.lowercased())-evidence.zip\"",
                ], body: body)
        }
    }
}

extension ListingQuery {
    /// An RFC 3339 time given as a query parameter, or a 400 naming it.
    func date(_ name: String) throws -> Date? {
        guard let text = parameters[name] else { return nil }
        guard let date = RFC3339.parseRecent(text) else {
            throw Problem.badRequest(name, "must be an RFC 3339 date-time, 1970 or later")
        }
        return date
    }
}
