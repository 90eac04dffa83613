import Foundation
import HTTPTypes
import PosGuardTestSupport
import Testing

@Suite("Terminal API")
struct TerminalAPITests {
    @Test func registerMoveAndReadHistory() async throws {
        try await APIHarness.run { api async throws in
            let token = try await api.token("admin@kiez-baeckerei.demo")
            let store = try #require(try await api.all("/api/v1/stores", token: token).first?["id"] as? String)
            let created = try await api.call(
                .post, "/api/v1/terminals", token: token,
                json:
                    #"{"store_id":"\#(store)","make":"Verifone","model":"V400m","serial":"V4-001","tid":"KB000777","mid":"KBM1","firmware_version":"1.2"}"#
            )
            #expect(created.status == .created && created.string("state") == "inventory")
            let id = try #require(created.string("id"))
            #expect(created.headers[.location] == "/api/v1/terminals/\(id)")

            let illegal = try await api.call(
                .post, "/api/v1/terminals/\(id)/transitions", token: token, json: #"{"to":"stolen","reason":"test"}"#)
            #expect(illegal.status == .conflict && illegal.problemType == "urn:posguard:problem:illegal-transition")
            #expect(illegal.object["allowed_transitions"] as? [String] == ["active", "suspected_stolen", "retired"])

            let moved = try await api.call(
                .post, "/api/v1/terminals/\(id)/transitions", token: token,
                json: #"{"to":"active","reason":"installed"}"#)
            #expect(moved.status == .ok && moved.string("state") == "active")

            let retire = try await api.call(
                .post, "/api/v1/terminals/\(id)/transitions", token: token, json: #"{"to":"retired","reason":"old"}"#)
            #expect(retire.status == .forbidden && retire.problemType == "urn:posguard:problem:mfa-required")

            let history = try await api.call(.get, "/api/v1/terminals/\(id)/history", token: token)
            #expect(history.items.map { $0["to"] as? String } == ["inventory", "active"])
            #expect(history.items.last?["reason"] as? String == "installed")

            let patched = try await api.call(
                .patch, "/api/v1/terminals/\(id)", token: token, json: #"{"app_version":"3.0.1"}"#)
            #expect(
                patched.status == .ok && patched.string("app_version") == "3.0.1" && patched.string("model") == "V400m")
        }
    }

    @Test func csvImportOverHTTPIsAllOrNothing() async throws {
        try await APIHarness.run { api async throws in
            let token = try await api.token("admin@lotus-tea.demo")
            let before = try await api.all("/api/v1/terminals", token: token, pageSize: 100).count
            let bad =
                "make,model,serial,tid,mid,store_code\nPAX,A920,CSV-1,CSV00001,M,LTH-SHA-01\nPAX,A920,CSV-2,CSV00002,M,NOPE\n"
            let rejected = try await api.call(
                .post, "/api/v1/terminals/import", token: token, body: bad, contentType: "text/csv")
            #expect(
                rejected.status == .unprocessableContent
                    && rejected.problemType == "urn:posguard:problem:import-rejected")
            let rows = rejected.object["row_errors"] as? [[String: Any]] ?? []
            #expect(
                rows.count == 1 && rows.first?["line"] as? Int == 3 && rows.first?["field"] as? String == "store_code")
            #expect(try await api.all("/api/v1/terminals", token: token, pageSize: 100).count == before)

            let good =
                "make,model,serial,tid,mid,store_code\nPAX,A920,CSV-1,CSV00001,M,LTH-SHA-01\nPAX,A920,CSV-2,CSV00002,M,LTH-HGH-01\n"
            let imported = try await api.call(
                .post, "/api/v1/terminals/import", token: token, body: good, contentType: "text/csv")
            #expect(imported.status == .created && imported.object["imported"] as? Int == 2)
            #expect(try await api.all("/api/v1/terminals", token: token, pageSize: 100).count == before + 2)

            // A terminal imported active is known to screening at once, without a restart.
            let active =
                "make,model,serial,tid,mid,store_code,state\nPAX,A920,CSV-3,CSV00003,M77,LTH-SHA-01,active\n"
            let importedActive = try await api.call(
                .post, "/api/v1/terminals/import", token: token, body: active, contentType: "text/csv")
            #expect(importedActive.status == .created)
            let screen = #"{"tid":"CSV00003","mid":"M77","amount_minor":100,"currency":"CNY"}"#
            var answer = try await api.call(.post, "/api/v1/screen", token: token, json: screen)
            // The change feed reloads the table off this task.
            try await until("the imported terminal is screened") {
                answer = try await api.call(.post, "/api/v1/screen", token: token, json: screen)
                return answer.string("response_code") != "03"
            }
            #expect(answer.string("response_code") == "00", "\(answer.text)")
        }
    }

    @Test func listingsPageAndFilterOverHTTP() async throws {
        try await APIHarness.run { api async throws in
            let token = try await api.token("admin@harbour.demo")
            let all = try await api.all("/api/v1/terminals", token: token, pageSize: 9)
            #expect(all.count == 40 && Set(all.compactMap { $0["id"] as? String }).count == 40)
            let locked = try await api.all("/api/v1/terminals?state=locked", token: token)
            #expect(!locked.isEmpty && locked.allSatisfy { $0["state"] as? String == "locked" })
            let merchant = try #require(all.first?["merchant_id"] as? String)
            let ofMerchant = try await api.all("/api/v1/terminals?merchant_id=\(merchant)", token: token)
            #expect(ofMerchant.count == 20)
            // Search: the start of a TID, serial or MID, in any case; wildcards are taken literally.
            let first = try #require(all.first)
            let tid = try #require(first["tid"] as? String)
            let byTID = try await api.all("/api/v1/terminals?q=\(tid.lowercased())", token: token)
            #expect(byTID.contains { $0["id"] as? String == first["id"] as? String })
            #expect(
                byTID.allSatisfy {
                    ($0["tid"] as? String)?.hasPrefix(tid) == true
                        || ($0["serial"] as? String)?.uppercased().hasPrefix(tid) == true
                        || ($0["mid"] as? String)?.uppercased().hasPrefix(tid) == true
                })
            let serial = try #require(first["serial"] as? String)
            let bySerial = try await api.all("/api/v1/terminals?q=\(serial.prefix(serial.count - 1))", token: token)
            #expect(bySerial.contains { $0["id"] as? String == first["id"] as? String })
            #expect(try await api.all("/api/v1/terminals?q=%25", token: token).isEmpty)
            #expect(try await api.all("/api/v1/terminals?q=_", token: token).isEmpty)
            let tooLong = try await api.call(
                .get, "/api/v1/terminals?q=\(String(repeating: "A", count: 65))", token: token)
            #expect(tooLong.status == .badRequest && tooLong.fieldErrors == ["q"])
        }
    }

    @Test func healthReadinessAndMetrics() async throws {
        try await APIHarness.run { api async throws in
            #expect(try await api.call(.get, "/healthz").string("status") == "ok")
            let ready = try await api.call(.get, "/readyz")
            #expect(ready.status == .ok && ready.string("database") == "ok")
            _ = try await api.call(.get, "/api/v1/me")
            _ = try await api.call(.get, "/api/v1/me")
            // Methods a client makes up are counted together, so they cannot grow the metrics without bound.
            for made in ["BREW", "WHEN", "PROPFIND"] { _ = try await api.call(HTTPRequest.Method(made)!, "/healthz") }
            #expect(try await api.call(.get, "/metrics").status == .unauthorized, "a fleet's counts are not public")
            #expect(try await api.call(.get, "/metrics", token: "guess").status == .unauthorized)
            let metrics = try await api.call(.get, "/metrics", token: APIHarness.metricsToken)
            #expect(metrics.status == .ok && metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(metrics.headers[.cacheControl] == "no-store")
            #expect(metrics.text.contains(#"posguard_terminals_count{state="stolen"} "#))
            #expect(
                metrics.text.contains(#"posguard_http_requests_total{method="GET",route="/api/v1/me",status="401"} 2"#))
            #expect(
                metrics.text.contains(#"posguard_http_requests_total{method="other",route="NotFound",status="405"} 3"#),
                "\(metrics.text.split(separator: "\n").filter { $0.contains("other") })")
            #expect(!metrics.text.contains("BREW"))
            #expect(
                metrics.text.contains(
                    #"posguard_http_request_duration_seconds_count{method="GET",route="/api/v1/me"} 2"#))
        }
    }
}
