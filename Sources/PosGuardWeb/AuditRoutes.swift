import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PosGuardDomain
import PosGuardServices

/// The audit log: `/api/v1/audit`, its entries, and the proofs that it was only ever appended to.
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
        api.get("audit/verify") { _, context in
            JSONResponse(Verdict(try await app.auditLog.verify(by: try context.requireCaller())))
        }
        api.get("audit/entries/{id}/proof") { _, context in
            JSONResponse(
                try await app.auditLog.inclusionProof(of: try context.parameters.id(), by: try context.requireCaller()))
        }
        api.get("audit/consistency") { request, context in
            let query = ListingQuery(request)
            guard let from = try query.integer("from") else { throw Problem.badRequest("from", "is required") }
            return JSONResponse(
                try await app.auditLog.consistencyProof(
                    from: Int(from), to: try query.integer("to").map(Int.init), by: try context.requireCaller()))
        }
        api.get("audit/checkpoint") { _, context in
            Self.text(try await app.auditLog.checkpoint(by: try context.requireCaller()))
        }
        // Not secret, so any signed-in user reads it; outside parties should hold it from elsewhere too.
        api.get("audit/public-key") { _, _ in Self.text(app.auditLog.verifierKey + "\n") }
    }

    static func text(_ text: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// `{"ok", "tree_size", "first_bad_entry", "problem"}`, with nulls written out.
    struct Verdict: Encodable {
        var verdict: AuditVerdict

        init(_ verdict: AuditVerdict) { self.verdict = verdict }

        enum CodingKeys: String, CodingKey { case ok, treeSize, firstBadEntry, problem }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(verdict.ok, forKey: .ok)
            try c.encode(verdict.treeSize, forKey: .treeSize)
            try c.encode(verdict.firstBadEntry, forKey: .firstBadEntry)
            try c.encode(verdict.problem, forKey: .problem)
        }
    }
}
