import Foundation
import HTTPTypes
import NIOCore
import Testing

/// A browser as the console sees one, over the test client: it keeps the cookies the server sets and sends them
/// back, and reads the CSRF token of the last page it was shown.
final class ConsoleBrowser: @unchecked Sendable {
    let api: APIHarness
    private(set) var cookies: [String: String] = [:]
    private(set) var lastPage = ""
    var acceptLanguage: String?

    init(_ api: APIHarness) { self.api = api }

    struct Page {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var text: String
        var location: String? { headers[.location] }
        var setCookies: [String] { headers[values: .setCookie] }
    }

    func get(_ uri: String) async throws -> Page {
        let page = try await send(.get, uri, body: nil, contentType: nil)
        lastPage = page.text
        return page
    }

    /// Posts a form; with the page's CSRF token unless `csrf` says otherwise (nil: none at all).
    func post(_ uri: String, _ fields: [String: String], csrf: String?? = .some(nil)) async throws -> Page {
        var fields = fields
        switch csrf {
        case .some(.some(let token)): fields["csrf_token"] = token
        case .some(.none): fields["csrf_token"] = csrfToken
        case .none: break
        }
        let body = fields.map { name, value in
            "\(Self.encode(name))=\(Self.encode(value))"
        }.joined(separator: "&")
        let page = try await send(
            .post, uri, body: ByteBuffer(string: body), contentType: "application/x-www-form-urlencoded")
        if page.status != .seeOther { lastPage = page.text }
        return page
    }

    /// Posts a multipart form: the fields (the page's CSRF token first unless `csrf` is false), then the file.
    func postMultipart(
        _ uri: String, _ fields: [(String, String)], file: (name: String, type: String, bytes: [UInt8]),
        csrf: Bool = true
    ) async throws -> Page {
        let boundary = "----PosGuardTest\(UUID().uuidString)"
        var body: [UInt8] = []
        for (name, value) in (csrf ? [("csrf_token", csrfToken ?? "")] : []) + fields {
            body += Array("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8)
        }
        body += Array(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\nContent-Type: \(file.type)\r\n\r\n"
                .utf8)
        body += file.bytes + Array("\r\n--\(boundary)--\r\n".utf8)
        return try await send(
            .post, uri, body: ByteBuffer(bytes: body), contentType: "multipart/form-data; boundary=\(boundary)")
    }

    /// Signs in through the form at `/`, following the redirect.
    func signIn(_ email: String, password: String? = nil, totp: String? = nil) async throws -> Page {
        _ = try await get("/")
        var fields = ["email": email, "password": password ?? api.tenant.login(email).password]
        if let totp { fields["totp"] = totp }
        return try await post("/sign-in", fields)
    }

    var csrfToken: String? {
        guard let range = lastPage.range(of: #"name="csrf_token" value=""#) else { return nil }
        return String(lastPage[range.upperBound...].prefix { $0 != "\"" })
    }

    private func send(_ method: HTTPRequest.Method, _ uri: String, body: ByteBuffer?, contentType: String?)
        async throws -> Page
    {
        var headers: HTTPFields = [:]
        if !cookies.isEmpty {
            headers[.cookie] = cookies.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                separator: "; ")
        }
        if let acceptLanguage { headers[.acceptLanguage] = acceptLanguage }
        if let contentType { headers[.contentType] = contentType }
        let response = try await api.client.execute(uri: uri, method: method, headers: headers, body: body)
        let page = Page(status: response.status, headers: response.headers, text: String(buffer: response.body))
        for cookie in page.setCookies {
            let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            let name = String(pair[0])
            let value = pair.count > 1 ? String(pair[1]) : ""
            if value.isEmpty || cookie.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return page
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
