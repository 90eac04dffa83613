import Foundation
import Hummingbird
import NIOCore
import PosGuardDomain

/// Reading request bodies: size-limited, and every decoding failure named by field.
extension Request {
    /// The most a JSON body may hold.
    static let jsonLimit = 1 << 20

    /// Decodes a JSON body, or throws a problem naming what is wrong: 400 for malformed JSON or a body over
    /// the limit, 422 for a missing or unknown field, a wrong type, an unknown value or text that is not plain.
    /// `cardFields` names the fields that may carry a card number; card data anywhere else is refused.
    mutating func decodeJSON<T: Decodable>(_ type: T.Type, cardFields: Set<String> = []) async throws -> T {
        let buffer = try await collectLimited(Self.jsonLimit)
        guard buffer.readableBytes > 0 else { throw Problem.badRequest("body", "is empty: send a JSON object") }
        return try Self.decodeJSON(type, from: Data(buffer: buffer), cardFields: cardFields)
    }

    /// Decodes JSON bytes the same way, for bodies read by other means (a signed agent request). The body is
    /// read by PosGuard's own JSON reader first, which says at which byte text goes wrong and refuses a name given
    /// twice in one object (readers disagree on which counts, so a proxy could read another request than this
    /// one). A byte order mark before the text (some editors and shells write one) is not part of it.
    static func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data, cardFields: Set<String> = []) throws -> T {
        let data = data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data
        do {
            _ = try JSONValue.parse(data, duplicateNames: .refused)
            return try StrictDecoding.decode(T.self, from: Data(data), cardFields: cardFields)
        } catch let error as JSONValue.SyntaxError {
            throw notJSON(error)
        } catch let error as DecodingError {
            throw Self.problem(for: error)
        }
    }

    /// A body that is not JSON: what is wrong and at which byte.
    static func notJSON(_ error: JSONValue.SyntaxError) -> Problem {
        Problem.badRequest("body", "is not valid JSON: \(error.message) at byte \(error.offset)")
    }

    /// The body's bytes, up to `limit`.
    mutating func bytes(limit: Int) async throws -> [UInt8] {
        Array(try await collectLimited(limit).readableBytesView)
    }

    /// The body as text, up to `limit` bytes.
    mutating func text(limit: Int) async throws -> String {
        let buffer = try await collectLimited(limit)
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw Problem.badRequest("body", "is not UTF-8 text")
        }
        return text
    }

    private mutating func collectLimited(_ limit: Int) async throws -> ByteBuffer {
        do {
            return try await collectBody(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Self.tooLarge(limit)
        } catch is NIOTooManyBytesError {
            throw Self.tooLarge(limit)
        }
    }

    static func tooLarge(_ limit: Int) -> Problem {
        Problem(.contentTooLarge, "too-large", "The request body is too large", detail: "the limit is \(limit) bytes")
    }

    static func problem(for error: DecodingError) -> Problem {
        switch error {
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            return Problem.badRequest("body", "is not valid JSON")
        case .keyNotFound(let key, let context):
            return .validation([FieldError(APIJSON.fieldPath(context.codingPath + [key]), "is required")])
        case .valueNotFound(_, let context) where context.codingPath.isEmpty:
            return .validation([FieldError("body", "must be a JSON object, not null")])
        case .valueNotFound(_, let context):
            return .validation([FieldError(APIJSON.fieldPath(context.codingPath), "must not be null")])
        case .typeMismatch(let type, let context):
            let field = context.codingPath.isEmpty ? "body" : APIJSON.fieldPath(context.codingPath)
            return .validation([FieldError(field, "must be \(describe(type))")])
        case .dataCorrupted(let context):
            return .validation([FieldError(APIJSON.fieldPath(context.codingPath), explain(context.debugDescription))])
        @unknown default:
            return Problem.badRequest("body", "could not be read")
        }
    }

    /// Names an expected JSON type the way an API user thinks of it.
    static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is [Any].Type: "an array"
        default: "an object"
        }
    }

    /// Turns Foundation's message for a value it could not read into one for the API's user (a value of an
    /// enumeration is named by `DecodingLog.choosing`).
    static func explain(_ debug: String) -> String {
        if debug.contains("UUID") { return "must be a UUID" }
        if debug.hasPrefix("must ") { return debug }
        return "is not valid: \(debug)"
    }
}

/// Reading listing parameters from the query string.
struct ListingQuery {
    static let defaultLimit = 50
    static let maximumLimit = 500

    let parameters: [String: String]

    init(_ request: Request) {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
        self.parameters = parameters
    }

    var limit: Int {
        get throws {
            guard let text = parameters["limit"] else { return Self.defaultLimit }
            guard let limit = Int(text), (1...Self.maximumLimit).contains(limit) else {
                throw Problem.badRequest("limit", "must be an integer from 1 to \(Self.maximumLimit)")
            }
            return limit
        }
    }

    var cursor: Cursor? {
        get throws {
            guard let text = parameters["cursor"] else { return nil }
            guard let cursor = Cursor(token: text) else {
                throw Problem.badRequest("cursor", "is not a cursor this server issued")
            }
            return cursor
        }
    }

    func integer(_ name: String) throws -> Int64? {
        guard let text = parameters[name] else { return nil }
        guard let value = Int64(text), value >= 0 else {
            throw Problem.badRequest(name, "must be a non-negative integer")
        }
        return value
    }

    /// Text of 1 to `maxLength` characters; nil when absent.
    func text(_ name: String, maxLength: Int) throws -> String? {
        guard let text = parameters[name] else { return nil }
        guard (1...maxLength).contains(text.count), !text.contains(where: \.isNewline) else {
            throw Problem.badRequest(name, "must be 1 to \(maxLength) characters on one line")
        }
        return text
    }

    func uuid(_ name: String) throws -> UUID? {
        guard let text = parameters[name] else { return nil }
        guard let id = UUID(uuidString: text) else { throw Problem.badRequest(name, "must be a UUID") }
        return id
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ name: String, as type: E.Type) throws -> E?
    where E.RawValue == String {
        guard let text = parameters[name] else { return nil }
        guard let value = E(rawValue: text) else {
            throw Problem.badRequest(name, "must be one of: " + E.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }
}

extension Parameters {
    /// A text segment of a route, percent-decoded (the router hands it over as it was in the URL), or a 400.
    func text(_ name: String) throws -> String {
        guard let text = get(name)?.removingPercentEncoding else {
            throw Problem.badRequest(name, "is not valid percent-encoded UTF-8")
        }
        return text
    }

    /// The `{id}` of a route as a UUID, or a 400 naming it.
    func id(_ name: String = "id") throws -> UUID {
        guard let text = get(name), let id = UUID(uuidString: text) else {
            throw Problem.badRequest(name, "must be a UUID")
        }
        return id
    }
}
