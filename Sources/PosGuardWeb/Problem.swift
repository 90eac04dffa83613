import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PosGuardDomain

/// An error as the client sees it: an RFC 9457 `application/problem+json` document.
struct Problem: HTTPResponseError, Encodable {
    var status: HTTPResponse.Status
    /// A stable identifier of the kind of problem, e.g. `urn:posguard:problem:validation`.
    var type: String
    var title: String
    var detail: String?
    /// Field by field, for validation problems.
    var errors: [FieldError]?
    /// For an illegal lifecycle move: the states the terminal may move to.
    var allowedTransitions: [String]?
    /// For a rejected import: every bad row.
    var rowErrors: [TerminalImport.RowError]?
    var retryAfter: Int?
    /// For a method the path does not serve: the methods it does.
    var allow: String?

    init(
        _ status: HTTPResponse.Status, _ kind: String, _ title: String, detail: String? = nil,
        errors: [FieldError]? = nil
    ) {
        self.status = status
        type = "urn:posguard:problem:\(kind)"
        self.title = title
        self.detail = detail
        self.errors = errors
    }

    enum CodingKeys: String, CodingKey {
        case type, title, detail, errors, allowedTransitions, rowErrors, status
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(type, forKey: .type)
        try c.encode(title, forKey: .title)
        try c.encode(Int(status.code), forKey: .status)
        try c.encodeIfPresent(detail, forKey: .detail)
        try c.encodeIfPresent(errors, forKey: .errors)
        try c.encodeIfPresent(allowedTransitions, forKey: .allowedTransitions)
        try c.encodeIfPresent(rowErrors, forKey: .rowErrors)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if let allow { headers[.allow] = allow }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        let body = try APIJSON.encoder.encode(self)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func validation(_ errors: [FieldError]) -> Problem {
        Problem(
            .unprocessableContent, "validation", "The request has invalid fields",
            detail: errors.map { "\($0.field) \($0.message)" }.joined(separator: "; "), errors: errors)
    }

    static func badRequest(_ field: String, _ message: String) -> Problem {
        Problem(
            .badRequest, "bad-request", "The request is malformed", detail: "\(field) \(message)",
            errors: [FieldError(field, message)])
    }
}
