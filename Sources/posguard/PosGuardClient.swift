import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import PosGuardServices

/// A small client of a running PosGuard server: the REST API with a bearer token, and the agent
/// protocol with signed requests. Used by the fleet simulator and the ingest benchmark.
struct PosGuardClient: Sendable {
    let base: String
    let http: HTTPClient

    struct Reply: @unchecked Sendable {
        // Parsed JSON values are never mutated after parsing.
        var status: Int
        var json: Any?
        /// Seconds, when a 503 asks to be sent again.
        var retryAfter: Int? = nil
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var items: [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    init(base: String, http: HTTPClient = .shared) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.http = http
    }

    func call(
        _ method: HTTPMethod, _ path: String, token: String? = nil, json: Any? = nil, raw: [UInt8]? = nil,
        headers: [(String, String)] = [], contentType: String = "application/json"
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        } else if let raw {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: raw))
        }
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        let parsed = body.readableBytes > 0 ? try? JSONSerialization.jsonObject(with: Data(buffer: body)) : nil
        return Reply(
            status: Int(response.status.code), json: parsed,
            retryAfter: response.headers.first(name: "Retry-After").flatMap { Int($0) })
    }

    /// Calls and insists on one status, naming the call when it differs.
    func expect(_ status: Int, _ method: HTTPMethod, _ path: String, token: String? = nil, json: Any? = nil)
        async throws -> Reply
    {
        let reply = try await call(method, path, token: token, json: json)
        guard reply.status == status else {
            throw Failure(description: "\(method) \(path) answered \(reply.status): \(reply.json ?? "")")
        }
        return reply
    }

    func signIn(email: String, password: String) async throws -> String {
        let reply = try await expect(201, .POST, "/api/v1/session", json: ["email": email, "password": password])
        guard let token = reply.object["token"] as? String else {
            throw Failure(description: "sign-in answered no token")
        }
        return token
    }

    /// Every item of a listing, following cursors.
    func all(_ path: String, token: String) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var cursor: String? = nil
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let reply = try await expect(
                200, .GET, path + separator + "limit=500" + (cursor.map { "&cursor=\($0)" } ?? ""), token: token)
            items += reply.items
            cursor = reply.object["next_cursor"] as? String
        } while cursor != nil
        return items
    }

    /// Sends a signed event batch as `terminal`, as an agent does: a 503 (several instances, the terminal's
    /// detection moving between them) is sent again, signed afresh, after its `Retry-After`, a few times.
    func sendEvents(_ body: [UInt8], terminal: UUID, signer: AgentSigner) async throws -> Reply {
        var attempt = 0
        while true {
            let headers = signer.headers(
                terminal: terminal, method: "POST", path: "/agent/v1/events", body: body, at: Date())
            let reply = try await call(
                .POST, "/agent/v1/events", raw: body, headers: headers.map { ($0.name, $0.value) })
            attempt += 1
            guard reply.status == 503, attempt < 10 else { return reply }
            try await Task.sleep(for: .seconds(reply.retryAfter ?? 1))
        }
    }
}
