import Foundation
import HTTPTypes
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// An incident's impact, its customers and the notices to them, its closing report; and the inspection that
/// clears a recovered terminal for service.
struct IncidentReportRoutes {
    let app: PosGuard

    /// An inspection with its verdict: the inspection's own fields, then `passed`.
    struct InspectionView: Encodable {
        var inspection: TerminalInspection

        enum CodingKeys: String, CodingKey { case passed }

        func encode(to encoder: any Encoder) throws {
            try inspection.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(inspection.passed, forKey: .passed)
        }
    }

    func add(to api: RouterGroup<AppRequestContext>) {
        api.get("incidents/{id}/impact") { _, context in
            JSONResponse(
                try await app.incidentReports.impact(try context.parameters.id(), by: try context.requireCaller()))
        }
        api.put("incidents/{id}/customers/{card}") { request, context in
            var request = request
            let (id, caller) = try await IncidentRoutes(app: app).changing(context)
            let draft = try await request.decodeJSON(IncidentReports.ContactDraft.self)
            return JSONResponse(
                try await app.incidentReports.setContact(
                    id, card: try context.parameters.text("card"), draft, by: caller))
        }
        api.get("incidents/{id}/customers.csv") { _, context in
            let csv = try await app.incidentReports.customersCSV(
                try context.parameters.id(), by: try context.requireCaller())
            return text(csv, type: "text/csv; charset=utf-8", attachment: "customers.csv")
        }
        api.post("incidents/{id}/customer-notices") { _, context in
            let (id, caller) = try await IncidentRoutes(app: app).changing(context)
            return JSONResponse(try await app.incidentReports.notifyCustomers(id, by: caller), status: .created)
        }
        api.get("incidents/{id}/report") { _, context in
            JSONResponse(
                try await app.incidentReports.report(try context.parameters.id(), by: try context.requireCaller()))
        }
        api.get("incidents/{id}/report.html") { _, context in
            let report = try await app.incidentReports.report(
                try context.parameters.id(), by: try context.requireCaller())
            return text(report.html(), type: "text/html; charset=utf-8", attachment: nil)
        }
        api.post("terminals/{id}/inspections") { request, context in
            var request = request
            let caller = try context.requireCaller()
            let id = try context.parameters.id()
            let draft = try await request.decodeJSON(RecoveryInspections.Draft.self)
            let inspection = try await app.inspections.record(id, draft, by: caller)
            return JSONResponse(InspectionView(inspection: inspection), status: .created)
        }
    }

    /// A text answer of another media type; an attachment's name makes browsers save it.
    private func text(_ body: String, type: String, attachment: String?) -> Response {
        var headers: HTTPFields = [.contentType: type]
        if let attachment { headers[.contentDisposition] = "attachment; filename=\"\(attachment)\"" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
