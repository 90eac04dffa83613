import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PosGuardDomain

/// A JSON answer with a status code.
struct JSONResponse<Value: Encodable>: ResponseGenerator {
    var status: HTTPResponse.Status = .ok
    var value: Value
    var location: String? = nil

    init(_ value: Value, status: HTTPResponse.Status = .ok, location: String? = nil) {
        self.value = value
        self.status = status
        self.location = location
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        .json(try APIJSON.encoder.encode(value), status: status, location: location)
    }
}

extension Response {
    /// JSON text already written, with the API's content type.
    static func json(_ body: some Sequence<UInt8>, status: HTTPResponse.Status = .ok, location: String? = nil)
        -> Response
    {
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if let location { headers[.location] = location }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// One page of a listing: `{"items": [...], "next_cursor": "…" | null}`.
struct Listing<Item: Encodable & Sendable>: Encodable {
    var items: [Item]
    var nextCursor: String?

    init(_ page: Page<Item>) {
        items = page.items
        nextCursor = page.next?.token
    }

    enum CodingKeys: String, CodingKey { case items, nextCursor }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
}
