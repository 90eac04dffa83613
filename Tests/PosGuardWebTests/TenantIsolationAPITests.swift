import Foundation
import HTTPTypes
import PosGuardDomain
import PosGuardTestSupport
import Testing

/// Tries every route of the API as a user of another merchant: nothing of the first merchant may be read,
/// changed or even confirmed to exist.
@Suite("Tenant isolation")
struct TenantIsolationAPITests {
    /// Routes that hold no tenant data, or act only on the caller's own account.
    static let notTenantData: Set<String> = [
        "GET /healthz", "GET /readyz", "GET /metrics", "GET /api/v1/openapi.json", "POST /api/v1/session",
        "DELETE /api/v1/session", "POST /api/v1/session/totp", "GET /api/v1/me", "POST /api/v1/me/totp",
        "POST /api/v1/me/totp/confirm", "DELETE /api/v1/me/totp", "POST /api/v1/me/password",
        // Screening by a provider's own terminals only; probed for another merchant's terminal above.
        "POST /api/v1/screen",
        // Screening by a caller's own terminals only: probed for another merchant's terminal above.
        "POST /api/v1/screen",
        // Agents authenticate with enrollment codes and signatures, tested in AgentAPITests.
        "POST /agent/v1/enroll", "POST /agent/v1/events", "POST /agent/v1/commands/{id}/ack",
        // The provider's response plans, the same for every merchant of it (editing them is the provider
        // admin's: refused to merchant admins in IncidentAPITests).
        "GET /api/v1/incident-templates/{type}", "PUT /api/v1/incident-templates/{type}",
    ]

    /// A request body that would succeed in the owner's scope, per route.
    static let bodies: [String: String] = [
        "PATCH /api/v1/merchants/{id}": #"{"name":"Taken over"}"#,
        "PATCH /api/v1/stores/{id}": #"{"name":"Taken over"}"#,
        "PATCH /api/v1/users/{id}": #"{"name":"Taken over"}"#,
        "PATCH /api/v1/terminals/{id}": #"{"model":"Taken over"}"#,
        "POST /api/v1/terminals/{id}/transitions": #"{"to":"suspected_stolen","reason":"taken over"}"#,
        "PUT /api/v1/merchants/{id}/detection-settings": #"{"auto_lock_on_critical":false}"#,
        "PUT /api/v1/stores/{id}/detection-settings": #"{"auto_lock_on_critical":false}"#,
        "PUT /api/v1/terminals/{id}/detection-settings": #"{"auto_lock_on_critical":false}"#,
        "PUT /api/v1/stores/{id}/operators/{operator_id}": #"{"name":"Mole"}"#,
        "POST /api/v1/alerts/{id}/resolve": #"{"reason":"nothing to see"}"#,
        "POST /api/v1/terminals/{id}/commands": #"{"type":"locate"}"#,
        "POST /api/v1/terminals/{id}/unlock-code": #"{"challenge":"12345678"}"#,
        "POST /api/v1/alerts/{id}/incident": #"{"type":"theft","description":"taken over"}"#,
        "PATCH /api/v1/incidents/{id}": #"{"description":"taken over"}"#,
        "PATCH /api/v1/incidents/{id}/tasks/{task_id}": #"{"state":"not_applicable","note":"taken over"}"#,
        "POST /api/v1/incidents/{id}/notes": #"{"text":"taken over"}"#,
        "POST /api/v1/incidents/{id}/access": #"{"user_id":"abcdefab-cdef-4abc-8def-abcdefabcdef"}"#,
        "POST /api/v1/incidents/{id}/close": #"{"lessons_learned":"taken over"}"#,
        "POST /api/v1/incidents/{id}/evidence/{evidence_id}/handovers":
            #"{"from":"the victim","to":"the mole","purpose":"taken over"}"#,
        "PUT /api/v1/incidents/{id}/customers/{card}": #"{"email":"mole@example.com"}"#,
        "POST /api/v1/terminals/{id}/inspections":
            #"{"serial_matches":true,"seals_intact":true,"no_overlay_or_skimmer":true,"casing_intact":true,"firmware_version":"4.1.1"}"#,
    ]

    @Test func aMerchantAdminCannotReachAnotherMerchantsDataOnAnyRoute() async throws {
        try await APIHarness.run(webhookAllow: loopback) { api async throws in
            let lotus = try await api.token("admin@lotus-tea.demo")
            let kiez = try await api.token("admin@kiez-baeckerei.demo")
            // The victim's resources, as the victim sees them.
            var victim: [String: [String]] = [:]
            for kind in ["merchants", "stores", "users", "terminals"] {
                victim[kind] = try await api.all("/api/v1/\(kind)", token: lotus, pageSize: 100).compactMap {
                    $0["id"] as? String
                }
                #expect(victim[kind]?.isEmpty == false, "the victim has \(kind)")
            }
            // An alert on one of the victim's terminals.
            let victimTerminal = try #require(victim["terminals"]?.first.flatMap(UUID.init(uuidString:)))
            let at = RFC3339.format(api.tenant.clock.now)
            _ = try await api.tenant.app.ingest.ingest(
                [.object(["seq": .number(1), "type": .string("tamper"), "at": .string(at), "sensor": .string("lid")])],
                from: victimTerminal)
            victim["alerts"] = try await api.all("/api/v1/alerts", token: lotus).compactMap { $0["id"] as? String }
            #expect(victim["alerts"]?.isEmpty == false)
            // A declined payment of one of the victim's terminals.
            let victimTerminals = try await api.all("/api/v1/terminals?state=stolen", token: lotus)
            let stolenTID = try #require(victimTerminals.first?["tid"] as? String)
            let stolenMID = try #require(victimTerminals.first?["mid"] as? String)
            let screenBody = #"{"tid":"\#(stolenTID)","mid":"\#(stolenMID)","amount_minor":100,"currency":"CNY"}"#
            #expect(
                try await api.call(.post, "/api/v1/screen", token: lotus, json: screenBody).string("response_code")
                    == "58")
            try await api.tenant.app.screening.flush()
            victim["screening"] = try await api.all(
                "/api/v1/screening/declines", token: try await api.token("admin@harbour.demo")
            )
            .compactMap { $0["id"] as? String }
            #expect(victim["screening"]?.isEmpty == false)
            // Screening another merchant's terminal tells nothing about it: it is simply unknown.
            let probe = try await api.call(.post, "/api/v1/screen", token: kiez, json: screenBody)
            #expect(
                probe.string("response_code") == "03" && probe.object["reasons"] as? [String] == ["unknown_terminal"])
            let incident = try await api.call(
                .post, "/api/v1/incidents", token: lotus,
                json:
                    #"{"type":"suspected_theft","description":"not seen since noon","terminal_ids":["\#(victimTerminal)"]}"#
            )
            victim["incidents"] = [try #require(incident.string("id"))]
            let task = try #require((incident.object["tasks"] as? [[String: Any]])?.first?["id"] as? String)
            let evidence = try #require(
                try await api.upload(
                    Array("the victim's photo".utf8), to: victim["incidents"]![0], query: "", type: "image/jpeg",
                    token: lotus
                ).string("id"))
            let hook = try await api.call(
                .post, "/api/v1/webhooks", token: lotus, json: #"{"url":"http://127.0.0.1:9/lotus"}"#)
            victim["webhooks"] = [try #require(hook.string("id"))]
            // An audit entry about the victim's terminal: its proof is for provider admins, refused to any merchant's.
            victim["audit"] = try await api.all(
                "/api/v1/audit?target_id=\(victimTerminal.uuidString)", token: try await api.token("admin@harbour.demo")
            )
            .compactMap { $0["id"] as? String }
            let victimIDs = Set(victim.values.joined())
            let victimStore = try #require(victim["stores"]?.first)
            let victimMerchant = try #require(victim["merchants"]?.first)

            var covered = 0
            for route in api.apiRoutes {
                let key = "\(route.method) \(route.path)"
                if Self.notTenantData.contains(key) { continue }
                let path = route.path
                let segments = path.split(separator: "/")
                guard segments.count >= 3,
                    let kind = victim.keys.first(where: { segments[2] == $0 })
                        ?? (segments[2] == "audit" ? "audit" : nil)
                else {
                    Issue.record("route \(key) has no tenant-isolation case: add one")
                    continue
                }
                covered += 1
                if path.contains("{id}") {
                    let target = try #require(victim[kind]?.first)
                    let uri = path.replacingOccurrences(of: "{id}", with: target)
                        .replacingOccurrences(of: "{operator_id}", with: "op-1")
                        .replacingOccurrences(of: "{task_id}", with: task)
                        .replacingOccurrences(of: "{evidence_id}", with: evidence)
                        .replacingOccurrences(of: "{user_id}", with: UUID().uuidString)
                        .replacingOccurrences(of: "{card}", with: "****1234")
                    let reply = try await api.call(route.method, uri, token: kiez, json: Self.bodies[key])
                    #expect(
                        reply.status == .notFound || (kind == "audit" && reply.status == .forbidden),
                        "\(key) answered \(reply.status): \(reply.text)")
                    #expect(!reply.text.contains(target) || reply.status == .notFound)
                } else if route.method == .get {
                    let reply = try await api.call(.get, path + "?limit=500", token: kiez)
                    let seen = Set(reply.items.compactMap { $0["id"] as? String })
                    #expect(seen.isDisjoint(with: victimIDs), "\(key) leaked another merchant's items")
                    if kind != "audit" { #expect(reply.status == .ok, "\(key) answered \(reply.status)") }
                } else {
                    let body: String? =
                        switch kind {
                        case "merchants": #"{"name":"Hijack Ltd"}"#
                        case "webhooks": #"{"url":"http://127.0.0.1:9/x","merchant_id":"\#(victimMerchant)"}"#
                        case "incidents":
                            #"{"type":"theft","description":"taken over","terminal_ids":["\#(victimTerminal)"]}"#
                        case "stores":
                            #"{"merchant_id":"\#(victimMerchant)","code":"HIJACK","name":"x","address":"x","city":"x","country":"DE","time_zone":"Europe/Berlin","business_hours":{},"geofence":{"latitude":1,"longitude":1,"radius_m":100}}"#
                        case "terminals" where path.hasSuffix("import"):
                            "make,model,serial,tid,mid,store_code\nPAX,A920,HIJACK-1,HIJACK01,M,LTH-SHA-01\n"
                        case "terminals":
                            #"{"store_id":"\#(victimStore)","make":"PAX","model":"A920","serial":"HIJACK-1","tid":"HIJACK01","mid":"M"}"#
                        case "users":
                            #"{"email":"mole@kiez.demo","name":"Mole","role":"store_operator","password":"tunnel-under-shop-9","store_id":"\#(victimStore)"}"#
                        default: nil
                        }
                    let reply = try await api.call(
                        route.method, path, token: kiez, body: body,
                        contentType: path.hasSuffix("import") ? "text/csv" : "application/json")
                    #expect(
                        [.unprocessableContent, .forbidden].contains(reply.status),
                        "\(key) answered \(reply.status): \(reply.text)")
                }
            }
            #expect(covered >= 35, "every tenant route was tried")
            // And the victim's data is untouched.
            let stores = try await api.all("/api/v1/stores", token: lotus, pageSize: 100)
            #expect(!stores.contains { $0["name"] as? String == "Taken over" || $0["code"] as? String == "HIJACK" })
            let terminals = try await api.all("/api/v1/terminals", token: lotus, pageSize: 100)
            #expect(
                !terminals.contains { $0["model"] as? String == "Taken over" || $0["serial"] as? String == "HIJACK-1" })
        }
    }

    @Test func policeLiaisonSeesNoOrganisationData() async throws {
        try await APIHarness.run { api async throws in
            let police = try await api.token("liaison@police.demo")
            for kind in ["merchants", "stores", "terminals"] {
                let reply = try await api.call(.get, "/api/v1/\(kind)", token: police)
                #expect(reply.status == .ok && reply.items.isEmpty, "\(kind): \(reply.text)")
            }
            #expect(try await api.call(.get, "/api/v1/users", token: police).status == .forbidden)
        }
    }
}
