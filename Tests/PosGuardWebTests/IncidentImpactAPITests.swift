import Foundation
import HTTPTypes
import PosGuardDomain
import PosGuardServices
import Testing

/// After a theft: what it cost, who to tell and telling them, the recovered terminal inspected before it takes
/// payments again, and the report — with the police reading only, and card numbers masked throughout.
@Suite("Incident impact and report")
struct IncidentImpactAPITests {
    @Test func theImpactIsCountedCustomersAreToldAndTheReportReadsIt() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let police = try await api.token("liaison@police.demo")
            let terminal = try #require(
                try await api.all("/api/v1/terminals?state=active", token: admin, pageSize: 100).first)
            let id = try #require((terminal["id"] as? String).flatMap(UUID.init(uuidString:)))
            // The thief takes two payments before the theft is noticed.
            let at = RFC3339.format(api.tenant.clock.now.addingTimeInterval(-3600))
            func sale(_ seq: Int, _ amount: Int, approved: Bool, last4: String) -> JSONValue {
                .object([
                    "seq": .number(Double(seq)), "type": .string("transaction"), "at": .string(at),
                    "kind": .string("sale"), "amount_minor": .number(Double(amount)), "currency": .string("EUR"),
                    "approved": .bool(approved), "pan_last4": .string(last4),
                ])
            }
            _ = try await api.tenant.app.ingest.ingest(
                [sale(1, 4990, approved: true, last4: "4242"), sale(2, 12000, approved: false, last4: "1111")], from: id
            )
            let opened = try await api.call(
                .post, "/api/v1/incidents", token: admin,
                json: #"{"type":"theft","description":"gone","terminal_ids":["\#(id)"]}"#)
            let incident = try #require(opened.string("id"), "\(opened.text)")
            // A payment the gateway declines after the theft, with its card masked.
            let screened = try await api.call(
                .post, "/api/v1/screen", token: admin,
                json:
                    #"{"tid":"\#(terminal["tid"]!)","mid":"\#(terminal["mid"]!)","amount_minor":700,"currency":"EUR","pan":"4111111111111111"}"#
            )
            #expect(screened.string("response_code") == "58", "\(screened.text)")
            try await api.tenant.app.screening.flush()
            let patched = try await api.call(
                .patch, "/api/v1/incidents/\(incident)", token: admin, json: #"{"terminal_value_minor":25000}"#)
            #expect(patched.status == .ok && patched.object["terminal_value_minor"] as? Int == 25000)
            api.tenant.clock.advance(600)

            let impact = try await api.call(.get, "/api/v1/incidents/\(incident)/impact", token: admin)
            #expect(impact.status == .ok, "\(impact.text)")
            let payments = impact.object["payments"] as? [[String: Any]] ?? []
            #expect(
                payments.compactMap { $0["result"] as? String } == ["approved", "declined", "declined_by_screening"])
            #expect(payments.first?["card"] as? String == "****4242" && payments.first?["amount_minor"] as? Int == 4990)
            let cards = (impact.object["customers"] as? [[String: Any]])?.compactMap { $0["card"] as? String }
            #expect(cards == ["****1111", "****4242", "411111******1111"])
            let loss = impact.object["estimated_loss"] as? [[String: Any]]
            #expect(loss?.first?["amount_minor"] as? Int == 4990 + 25000)
            let storeTerminals = try await api.all(
                "/api/v1/terminals?store_id=\(terminal["store_id"]!)&state=active", token: admin)
            // The store is down only when the stolen terminal was its last active one.
            #expect(
                impact.object["downtime_seconds"] as? Double == (storeTerminals.isEmpty ? 600 : 0),
                "\(storeTerminals.count) active")
            #expect(impact.object["downtime_since"] as? String != nil)
            #expect(!impact.text.contains("4111111111111111"))

            // Contacts by masked card only; a full card number is refused.
            let contact = try await api.call(
                .put, "/api/v1/incidents/\(incident)/customers/****4242", token: admin,
                json: #"{"email":"Kim@Example.com","name":"Kim"}"#)
            #expect(contact.status == .ok && contact.string("email") == "kim@example.com", "\(contact.text)")
            let full = try await api.call(
                .put, "/api/v1/incidents/\(incident)/customers/4242424242424242", token: admin,
                json: #"{"email":"kim@example.com"}"#)
            #expect(full.status == .unprocessableContent)
            let notices = try await api.call(.post, "/api/v1/incidents/\(incident)/customer-notices", token: admin)
            #expect(notices.status == .created && notices.object["sent"] as? Int == 1, "\(notices.text)")
            #expect(notices.object["without_contact"] as? [String] == ["****1111", "411111******1111"])
            let timeline = try await api.call(.get, "/api/v1/incidents/\(incident)/timeline", token: admin).items
            #expect(
                timeline.contains {
                    $0["kind"] as? String == "notice" && ($0["text"] as? String)?.contains("****4242") == true
                })
            let audit = try await api.all("/api/v1/audit?target_id=\(incident)", token: admin)
            #expect(audit.contains { $0["action"] as? String == "incident.notice" })
            let csv = try await api.call(.get, "/api/v1/incidents/\(incident)/customers.csv", token: admin)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(
                csv.text.hasPrefix("card,payments,approved,email,name\r\n")
                    && csv.text.contains("****4242,1,49.90 EUR,kim@example.com,Kim"))

            // The police read the impact and the report of an incident granted to them, without the contacts,
            // and change nothing.
            #expect(try await api.call(.get, "/api/v1/incidents/\(incident)/report", token: police).status == .notFound)
            let officer = try #require(
                try await api.all("/api/v1/users", token: admin).first { $0["role"] as? String == "police_liaison" }?[
                    "id"] as? String)
            _ = try await api.call(
                .post, "/api/v1/incidents/\(incident)/access", token: admin, json: #"{"user_id":"\#(officer)"}"#)
            let read = try await api.call(.get, "/api/v1/incidents/\(incident)/impact", token: police)
            #expect(read.status == .ok && !read.text.contains("kim@example.com"), "\(read.text)")
            let policeReport = try await api.call(.get, "/api/v1/incidents/\(incident)/report", token: police)
            #expect(policeReport.status == .ok && !policeReport.text.contains("kim@example.com"))
            for (method, path) in [
                (HTTPRequest.Method.put, "/api/v1/incidents/\(incident)/customers/****4242"),
                (.post, "/api/v1/incidents/\(incident)/customer-notices"),
            ] {
                let reply = try await api.call(method, path, token: police, json: #"{"email": "#)
                #expect(reply.status == .forbidden, "\(method) \(path): \(reply.text)")
            }

            // The report, as JSON and as a printable page, lists the evidence with its hash.
            let photo = try await api.upload(
                Array("the empty counter".utf8), to: incident, query: "file_name=counter.jpg", type: "image/jpeg",
                token: admin)
            let hash = try #require(photo.string("sha256"), "\(photo.text)")
            let report = try await api.call(.get, "/api/v1/incidents/\(incident)/report", token: admin)
            let evidence = report.object["evidence"] as? [[String: Any]]
            #expect(report.status == .ok && evidence?.map { $0["sha256"] as? String } == [hash])
            #expect((report.object["impact"] as? [String: Any])?["customers"] != nil)
            let html = try await api.call(.get, "/api/v1/incidents/\(incident)/report.html", token: admin)
            #expect(html.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(html.text.contains("@media print") && html.text.contains("****4242") && html.text.contains(hash))
        }
    }

    @Test func aRecoveredTerminalReturnsOnlyAfterAPassingInspectionSinceItsRecovery() async throws {
        try await APIHarness.run { api async throws in
            let email = "admin@kiez-baeckerei.demo"
            let admin = try await api.token(email)
            let terminal = try #require(
                try await api.all("/api/v1/terminals?state=active", token: admin, pageSize: 100).first {
                    $0["firmware_version"] is String
                })
            let id = try #require(terminal["id"] as? String)
            let firmware = try #require(terminal["firmware_version"] as? String)
            func inspect(firmware: String, token: String? = nil) async throws -> APIHarness.Reply {
                let checks =
                    #""serial_matches":true,"seals_intact":true,"no_overlay_or_skimmer":true,"casing_intact":true"#
                return try await api.call(
                    .post, "/api/v1/terminals/\(id)/inspections", token: token ?? admin,
                    json: #"{\#(checks),"firmware_version":"\#(firmware)"}"#)
            }
            // An inspection before the theft says nothing about the device that comes back.
            #expect(try await inspect(firmware: firmware).object["passed"] as? Bool == true)
            api.tenant.clock.advance(60)
            for state in ["suspected_stolen", "stolen", "recovered"] {
                let moved = try await api.call(
                    .post, "/api/v1/terminals/\(id)/transitions", token: admin,
                    json: #"{"to":"\#(state)","reason":"theft and recovery"}"#)
                #expect(moved.status == .ok, "\(moved.text)")
            }
            let secret = try await api.enableTOTP(email, token: admin)
            let verified = try await api.call(
                .post, "/api/v1/session/totp", token: admin, json: #"{"totp":"\#(api.code(secret))"}"#)
            #expect(verified.status == .noContent || verified.status == .ok, "\(verified.text)")
            func release() async throws -> APIHarness.Reply {
                try await api.call(
                    .post, "/api/v1/terminals/\(id)/transitions", token: admin,
                    json: #"{"to":"active","reason":"inspected"}"#)
            }
            let early = try await release()
            #expect(early.status == .conflict, "\(early.text)")
            let bare = try await api.call(
                .post, "/api/v1/terminals/\(id)/transitions", token: admin,
                json: #"{"to":"active","reason":"inspected","inspection_passed":true}"#)
            #expect(bare.status == .unprocessableContent || bare.status == .badRequest, "\(bare.text)")
            let flashed = try await inspect(firmware: "6.6.6-evil")
            #expect(flashed.status == .created && flashed.object["failures"] as? [String] == ["firmware_version"])
            #expect(try await release().status == .conflict)
            #expect(try await inspect(firmware: firmware).object["passed"] as? Bool == true)
            let back = try await release()
            #expect(back.status == .ok && back.string("state") == "active", "\(back.text)")
            let police = try await api.token("liaison@police.demo")
            #expect(try await inspect(firmware: firmware).status == .created)
            #expect(try await inspect(firmware: firmware, token: police).status == .notFound)
        }
    }
}
