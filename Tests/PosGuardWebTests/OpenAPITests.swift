import Foundation
import PosGuardTestSupport
import PosGuardWeb
import Testing

@Suite("OpenAPI document")
struct OpenAPITests {
    @Test func documentsExactlyTheRoutesTheRouterServes() async throws {
        try await APIHarness.run { api async throws in
            let served = Set(api.routes.map { "\($0.method.rawValue) \($0.path)" })
            let document = try #require(try JSONSerialization.jsonObject(with: OpenAPIDocument.data) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            let documented = Set(
                paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
            #expect(served.subtracting(documented).sorted() == [], "served but not documented")
            #expect(documented.subtracting(served).sorted() == [], "documented but not served")

            let reply = try await api.call(.get, "/api/v1/openapi.json")
            #expect(reply.status == .ok && reply.text.utf8.count == OpenAPIDocument.data.count)
        }
    }
}
