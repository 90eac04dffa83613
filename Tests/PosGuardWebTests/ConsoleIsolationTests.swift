import Foundation
import HTTPTypes
import PosGuardDomain
import Testing

/// Every console page and form that names a resource by id, walked by another merchant's admin with the victim's
/// ids: each answers exactly what it answers for an id that does not exist (404, or 422 where a form's ids are
/// checked as fields, as the API does), and changes nothing.
@Suite("Console tenant isolation")
struct ConsoleIsolationTests {
    @Test func anotherMerchantsAdminFindsNothingOnAnyConsoleRoute() async throws {
        try await APIHarness.run(webhookAllow: loopback) { api in
            let lotus = try await api.token("admin@lotus-tea.demo")
            var victim: [String: String] = [:]
            let terminal = try #require(
                try await api.all("/api/v1/terminals?state=active", token: lotus).first?["id"] as? String)
            victim["terminals"] = terminal
            victim["stores"] = try await api.all("/api/v1/stores", token: lotus).first?["id"] as? String
            _ = try await api.tenant.app.ingest.ingest(
                [
                    .object([
                        "seq": .number(1), "type": .string("tamper"),
                        "at": .string(RFC3339.format(api.tenant.clock.now)), "sensor": .string("lid"),
                    ])
                ], from: try #require(UUID(uuidString: terminal)))
            victim["alerts"] = try await api.all("/api/v1/alerts", token: lotus).first?["id"] as? String
            let incident = try await api.call(
                .post, "/api/v1/incidents", token: lotus,
                json: #"{"type":"loss","description":"left on the counter","terminal_ids":["\#(terminal)"]}"#)
            victim["incidents"] = incident.string("id")
            let task = try #require((incident.object["tasks"] as? [[String: Any]])?.first?["id"] as? String)
            let hook = try await api.call(
                .post, "/api/v1/webhooks", token: lotus, json: #"{"url":"http://127.0.0.1:9/lotus"}"#)
            victim["webhooks"] = hook.string("id")

            let commandsBefore = try await api.call(.get, "/api/v1/terminals/\(terminal)/commands", token: lotus)
            let browser = ConsoleBrowser(api)
            _ = try await browser.signIn("admin@kiez-baeckerei.demo")
            let consoleRoutes = api.routes.filter { route in !api.apiRoutes.contains { $0 == route } }
            var walked = 0
            for route in consoleRoutes where route.path.contains("{id}") {
                let kind = String(route.path.split(separator: "/")[0])
                guard let id = victim[kind] else {
                    Issue.record("console route \(route.method) \(route.path) has no isolation case: add one")
                    continue
                }
                let uri = route.path.replacingOccurrences(of: "{id}", with: id)
                    .replacingOccurrences(of: "{task}", with: task)
                let fields = [
                    "confirm": "on", "reason": "x", "message": "x", "description": "x", "text": "x", "lessons": "x",
                    "challenge": "ABCD1234", "state": "done",
                ]
                var answers: [HTTPResponse.Status] = []
                for uri in [
                    uri,
                    route.path.replacingOccurrences(of: "{id}", with: UUID().uuidString)
                        .replacingOccurrences(of: "{task}", with: UUID().uuidString),
                ] {
                    _ = try await browser.get("/")
                    let page = route.method == .get ? try await browser.get(uri) : try await browser.post(uri, fields)
                    answers.append(page.status)
                }
                #expect(answers[0] == answers[1], "\(route.method) \(uri): \(answers[0]), not as for no such id")
                #expect(
                    [.notFound, .unprocessableContent].contains(answers[0]), "\(route.method) \(uri): \(answers[0])")
                walked += 1
            }
            #expect(walked >= 15)
            // Nothing of the victim's changed.
            let commands = try await api.call(.get, "/api/v1/terminals/\(terminal)/commands", token: lotus)
            #expect(commands.items.count == commandsBefore.items.count)
            let alert = try await api.call(.get, "/api/v1/alerts/\(victim["alerts"]!)", token: lotus)
            #expect(alert.string("status") == "open")
        }
    }
}
