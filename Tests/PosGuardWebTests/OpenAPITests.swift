import Foundation
import PosGuardTestSupport
import PosGuardWeb
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test func documentsExactlyTheRoutesTheRouterServes() async throws {
        try await APIHarness.run { api async throws in
            let served = Set(api.apiRoutes.map { "\($0.method.rawValue) \($0.path)" })
            let document = try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.data) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let documented = Set(
                paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            #expect(served.subtracting(documented).sorted() == [], "served but not documented")
            #expect(documented.subtracting(served).sorted() == [], "documented but not served")
        }
    }

    /// Every read the API offers, and its refusals, answer exactly what the document's schemas say: no field
    /// missing, undocumented, of another type, format or value.
    @Test func everyReadAnswersWhatTheDocumentDescribes() async throws {
        let binaryFile = ["type": "string", "format": "binary"]
        try await APIHarness.run { api async throws in
            let document = try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.data) as? [String: Any])
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let check = SchemaCheck(document: document)
            let token = try await api.token("admin@harbour.demo")
            let terminal = try #require(
                try await api.all("/api/v1/terminals?state=active", token: token, pageSize: 100).first)
            let hook = try await api.call(
                .post, "/api/v1/webhooks", token: token, json: #"{"url":"https://hooks.example/posguard"}"#)
            let incident = try await api.call(
                .post, "/api/v1/incidents", token: token,
                json: #"{"type":"theft","description":"gone from the counter","terminal_ids":["\#(terminal["id"]!)"]}"#)
            let evidence = try await api.upload(
                Array("a photo".utf8), to: try #require(incident.string("id"), "\(incident.status) \(incident.text)"),
                query: "file_name=photo.jpg",
                type: "image/jpeg", token: token)
            let ids: [String: String] = [
                "merchants": "\(terminal["merchant_id"]!)", "stores": "\(terminal["store_id"]!)",
                "terminals": "\(terminal["id"]!)",
                "users": try #require(try await api.call(.get, "/api/v1/me", token: token).string("id")),
                "webhooks": try #require(hook.string("id")), "incidents": try #require(incident.string("id")),
                "audit": try #require(
                    try await api.all("/api/v1/audit", token: token, pageSize: 100).first?["id"] as? String),
            ]

            func expectDocumented(_ reply: APIHarness.Reply, _ operation: [String: Any], _ what: String) throws {
                let responses = try #require(operation["responses"] as? [String: Any])
                let response = try #require(
                    responses["\(reply.status.code)"] as? [String: Any], "\(what): \(reply.status) is not documented")
                let content = try #require(response["content"] as? [String: [String: Any]])
                // A file: documented as binary, served as the file's own type (an upload's, or a zip).
                if let binary = content.first(where: { $0.value["schema"] as? [String: String] == binaryFile }) {
                    #expect(
                        binary.key == "application/octet-stream" || reply.headers[.contentType] == binary.key,
                        "\(what) answered \(reply.headers[.contentType] ?? "no type")")
                    return
                }
                // An answer of another media type (text, CSV, HTML) that is not a file is checked for its type and a body.
                if let media = content.keys.first, !media.hasSuffix("json") {
                    let type = reply.headers[.contentType] ?? ""
                    #expect(
                        type.hasPrefix(media) && !reply.text.isEmpty, "\(what) answered \(type), documented \(media)")
                    return
                }
                let schema = try #require(content.values.first?["schema"] as? [String: Any])
                let body = try #require(reply.json, "\(what): not JSON")
                #expect(check.problems(body, schema) == [], "\(what) answered \(reply.text)")
            }

            var checked = 0
            for (path, operations) in paths.sorted(by: { $0.key < $1.key }) {
                guard let get = operations["get"] as? [String: Any], path.hasPrefix("/api/v1/"),
                    path != "/api/v1/openapi.json"
                else { continue }
                let collection = path.split(separator: "/").dropFirst(2).first.map(String.init) ?? ""
                guard
                    var uri = path.contains("{id}")
                        ? ids[collection].map({
                            path.replacing("{id}", with: $0).replacing(
                                "{evidence_id}", with: evidence.string("id") ?? "")
                        })
                        : path.replacing("{type}", with: "theft")
                else { continue }  // an alert by id: the demo tenant starts with none
                // Required query parameters take the document's example.
                let required = (get["parameters"] as? [[String: Any]] ?? []).filter {
                    $0["in"] as? String == "query" && $0["required"] as? Bool == true
                }
                if !required.isEmpty {
                    uri += "?" + required.map { "\($0["name"]!)=\($0["example"]!)" }.joined(separator: "&")
                }
                let reply = try await api.call(.get, uri, token: token)
                #expect(reply.status == .ok, "\(uri): \(reply.text)")
                try expectDocumented(reply, get, "GET \(uri)")
                checked += 1
            }
            #expect(checked >= 20, "every read but the alert by id is checked")

            // Refusals are documented problems too.
            let terminals = try #require(paths["/api/v1/terminals/{id}"]?["get"] as? [String: Any])
            try expectDocumented(
                try await api.call(.get, "/api/v1/terminals/\(UUID().uuidString)", token: token), terminals,
                "unknown id")
            try expectDocumented(
                try await api.call(.get, "/api/v1/terminals/\(ids["terminals"]!)"), terminals, "no token")
            let listing = try #require(paths["/api/v1/terminals"]?["get"] as? [String: Any])
            try expectDocumented(
                try await api.call(.get, "/api/v1/terminals?state=gone", token: token), listing, "bad filter")
        }
    }
}
