import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PosGuardApp
import PosGuardDomain
import PosGuardServices
import PosGuardTestSupport
import PosGuardWeb
import Testing

/// The application over the demo tenant on a fresh SQLite database, driven through HummingbirdTesting.
struct APIHarness {
    let client: any TestClientProtocol
    let tenant: DemoTenant
    /// Every route the router serves, as `(method, path)` with `{id}` placeholders.
    let routes: [(method: HTTPRequest.Method, path: String)]

    /// The routes of the JSON API, the agent protocol and the operations endpoints — every route but the
    /// console's pages, which are for people (tested in `ConsoleTests`).
    var apiRoutes: [(method: HTTPRequest.Method, path: String)] {
        routes.filter { route in
            route.path.hasPrefix("/api/") || route.path.hasPrefix("/agent/")
                || ["/healthz", "/readyz", "/metrics"].contains(route.path)
        }
    }

    /// The token the harness's metrics scraper holds.
    static let metricsToken = "scraper-token-for-tests"

    /// `webhookAllow`: networks webhooks may reach although not public — `loopback` for a test receiver.
    static func run(
        webhookAllow: [IPNetwork] = [], _ body: @escaping @Sendable (APIHarness) async throws -> Void
    ) async throws {
        try await TestDatabase.sqlite.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(
                on: db, webhookAllow: webhookAllow, http: HTTPSettings(metricsToken: metricsToken))
            try await tenant.application.test(.router) { client in
                try await body(APIHarness(client: client, tenant: tenant, routes: tenant.application.routes))
            }
        }
    }

    /// A decoded answer: status, headers and the JSON body (if any).
    struct Reply: @unchecked Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var text: String
        // JSON values from JSONSerialization are immutable once parsed; nothing mutates them.
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8)) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var items: [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }
        var problemType: String? { object["type"] as? String }
        var fieldErrors: [String] { (object["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String } }
        func string(_ key: String) -> String? { object[key] as? String }
    }

    func call(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: String? = nil, body: String? = nil,
        contentType: String = "application/json"
    ) async throws -> Reply {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let payload = json ?? body
        if payload != nil { headers[.contentType] = contentType }
        let response = try await client.execute(
            uri: uri, method: method, headers: headers, body: payload.map { ByteBuffer(string: $0) })
        return Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// Signs a demo user in over the API and returns the bearer token.
    func token(_ email: String) async throws -> String {
        let password = tenant.login(email).password
        let reply = try await call(.post, "/api/v1/session", json: #"{"email":"\#(email)","password":"\#(password)"}"#)
        guard reply.status == .created, let token = reply.string("token") else {
            throw HarnessError(message: "sign-in of \(email) answered \(reply.status): \(reply.text)")
        }
        return token
    }

    /// Every item of a listing, following `next_cursor` to the end.
    func all(_ path: String, token: String, pageSize: Int = 7) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var cursor: String? = nil
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let uri = "\(path)\(separator)limit=\(pageSize)" + (cursor.map { "&cursor=\($0)" } ?? "")
            let reply = try await call(.get, uri, token: token)
            guard reply.status == .ok else {
                throw HarnessError(message: "\(uri) answered \(reply.status): \(reply.text)")
            }
            items += reply.items
            cursor = reply.object["next_cursor"] as? String
        } while cursor != nil
        return items
    }
}

/// The loopback networks, for test webhook receivers (webhooks go only to public addresses unless allowed).
let loopback = [try! IPNetwork(cidr: "127.0.0.0/8"), try! IPNetwork(cidr: "::1")]

struct HarnessError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// A terminal speaking the agent protocol to the harness: enrolled with a real P-256 key, numbering its
/// events, signing every batch.
struct Device {
    let api: APIHarness
    let terminalID: UUID
    let signer: AgentSigner
    var clock: TestClock { api.tenant.clock }

    /// Enrolls a demo terminal: an admin issues a code, the device presents it with the terminal's serial and TID.
    static func enroll(_ terminal: [String: Any], api: APIHarness, adminToken: String) async throws -> Device {
        let id = try #require(terminal["id"] as? String)
        let code = try await api.call(.post, "/api/v1/terminals/\(id)/enrollment-code", token: adminToken)
        guard code.status == .created, let text = code.string("code") else {
            throw HarnessError(message: "enrollment code: \(code.status) \(code.text)")
        }
        let signer = AgentSigner()
        let body =
            #"{"code":"\#(text)","public_key":"\#(signer.publicKey)","serial":"\#(terminal["serial"]!)","tid":"\#(terminal["tid"]!)"}"#
        let enrolled = try await api.call(.post, "/agent/v1/enroll", json: body)
        guard enrolled.status == .created, enrolled.string("terminal_id")?.lowercased() == id.lowercased() else {
            throw HarnessError(message: "enroll: \(enrolled.status) \(enrolled.text)")
        }
        return Device(api: api, terminalID: UUID(uuidString: id)!, signer: signer)
    }

    /// Sends a raw body to `/agent/v1/events`, signed (or mangled by `tamper` after signing).
    func send(body: String, at date: Date? = nil, tamper: (inout HTTPFields) -> Void = { _ in }) async throws
        -> APIHarness.Reply
    {
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in signer.headers(
            terminal: terminalID, method: "POST", path: "/agent/v1/events", body: Array(body.utf8),
            at: date ?? clock.now)
        {
            headers[HTTPField.Name(name)!] = value
        }
        tamper(&headers)
        let response = try await api.client.execute(
            uri: "/agent/v1/events", method: .post, headers: headers, body: ByteBuffer(string: body))
        return APIHarness.Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// Sends a signed POST to another agent route.
    func signed(_ path: String, body: String) async throws -> APIHarness.Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in signer.headers(
            terminal: terminalID, method: "POST", path: path, body: Array(body.utf8), at: clock.now)
        {
            headers[HTTPField.Name(name)!] = value
        }
        let response = try await api.client.execute(
            uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
        return APIHarness.Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }

    /// Sends events given as `(seq, type, extra JSON fields)`, stamped with the harness clock.
    func send(_ events: [(Int, String, String)]) async throws -> APIHarness.Reply {
        let at = RFC3339.format(clock.now)
        let items = events.map { seq, type, fields in
            #"{"seq":\#(seq),"type":"\#(type)","at":"\#(at)"\#(fields.isEmpty ? "" : ",")\#(fields)}"#
        }
        return try await send(body: #"{"events":[\#(items.joined(separator: ","))]}"#)
    }
}

extension APIHarness {
    /// Enrols TOTP for a signed-in demo user over the API and returns the secret as the authenticator holds
    /// it. The clock moves on one step, so the next code is fresh.
    func enableTOTP(_ email: String, token: String) async throws -> String {
        let password = tenant.login(email).password
        let enrolment = try await call(.post, "/api/v1/me/totp", token: token, json: #"{"password":"\#(password)"}"#)
        guard enrolment.status == .created, let base32 = enrolment.string("secret") else {
            throw HarnessError(message: "TOTP enrolment: \(enrolment.status) \(enrolment.text)")
        }
        let secret = Base32.decode(base32)
        let code = TOTPCode.code(secret: secret, at: tenant.clock.now)
        let confirmed = try await call(.post, "/api/v1/me/totp/confirm", token: token, json: #"{"totp":"\#(code)"}"#)
        guard confirmed.status == .noContent else {
            throw HarnessError(message: "TOTP confirmation: \(confirmed.status) \(confirmed.text)")
        }
        tenant.clock.advance(30)
        return secret
    }

    /// The current code of an authenticator holding `secret`.
    func code(_ secret: String) -> String { TOTPCode.code(secret: secret, at: tenant.clock.now) }
}

/// RFC 4648 base32, as authenticator apps read the secret.
enum Base32 {
    static func decode(_ text: String) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
        var bits = 0
        var value = 0
        var bytes: [UInt8] = []
        for character in text.uppercased() where character != "=" {
            guard let index = alphabet.firstIndex(of: character) else { continue }
            value = value << 5 | index
            bits += 5
            if bits >= 8 {
                bytes.append(UInt8((value >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
