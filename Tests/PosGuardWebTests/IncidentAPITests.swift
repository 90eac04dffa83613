import Foundation
import HTTPTypes
import PosGuardDomain
import PosGuardServices
import Testing

/// A theft response over the API: opening contains at once, the plan is worked, the police read what they
/// were granted and nothing else, and the incident closes only when every task has ended.
@Suite("Incidents")
struct IncidentAPITests {
    @Test func aStoreManagerReportsATheftAndTheResponseRunsToItsClose() async throws {
        try await APIHarness.run { api async throws in
            let manager = try await api.token("manager.berlin@kiez-baeckerei.demo")
            let admin = try await api.token("admin@kiez-baeckerei.demo")
            let terminal = try #require(
                try await api.all("/api/v1/terminals?state=active", token: manager, pageSize: 100).first)
            let id = try #require(terminal["id"] as? String)
            let request = ScreeningRequest(
                tid: terminal["tid"] as! String, mid: terminal["mid"] as! String, amountMinor: 990, currency: "EUR",
                at: api.tenant.clock.now)
            #expect(api.tenant.app.screening.decide(request).approve)

            // "Our terminal is gone": no second factor is asked for, and the terminal is declined at once.
            let opened = try await api.call(
                .post, "/api/v1/incidents", token: manager,
                json:
                    #"{"type":"theft","description":"gone from the counter at 14:10","terminal_ids":["\#(id)"],"place":"counter 2"}"#
            )
            #expect(opened.status == .created, "\(opened.text)")
            let incident = try #require(opened.string("id"))
            #expect(opened.headers[.location] == "/api/v1/incidents/\(incident)")
            #expect(api.tenant.app.screening.decide(request).reasons == [.stolen])
            let moved = try await api.call(.get, "/api/v1/terminals/\(id)", token: manager)
            #expect(moved.string("state") == "stolen")
            // The manager may not send a key wipe: that is the plan's first task, for an admin.
            let tasks = try #require(opened.object["tasks"] as? [[String: Any]])
            #expect(tasks.first?["key"] as? String == IncidentTemplate.sendContainment)
            #expect(tasks.contains { $0["key"] as? String == "report_police" && $0["state"] as? String == "open" })
            #expect(tasks.contains { $0["key"] as? String == "notify_provider" && $0["state"] as? String == "done" })
            let commands = try await api.call(.get, "/api/v1/terminals/\(id)/commands", token: admin)
            #expect(commands.items.isEmpty, "nothing was queued without a second factor")

            // The police report needs its number and station.
            let report = try #require(tasks.first { $0["key"] as? String == "report_police" }?["id"] as? String)
            let bare = try await api.call(
                .patch, "/api/v1/incidents/\(incident)/tasks/\(report)", token: manager, json: #"{"state":"done"}"#)
            #expect(bare.status == .unprocessableContent)
            #expect(Set(bare.fieldErrors) == ["police_report_number", "police_station"])
            let reported = try await api.call(
                .patch, "/api/v1/incidents/\(incident)/tasks/\(report)", token: manager,
                json: #"{"state":"done","police_report_number":"BE-2026-114477","police_station":"Abschnitt 53"}"#)
            #expect(reported.status == .ok, "\(reported.text)")
            #expect(reported.string("done_by") == "manager.berlin@kiez-baeckerei.demo")
            let again = try await api.call(
                .patch, "/api/v1/incidents/\(incident)/tasks/\(report)", token: manager, json: #"{"state":"done"}"#)
            #expect(again.status == .conflict)
            let reason = try await api.call(
                .patch, "/api/v1/incidents/\(incident)/tasks/\(tasks.last!["id"]!)", token: manager,
                json: #"{"state":"not_applicable"}"#)
            #expect(reason.status == .conflict && reason.fieldErrors == ["note"])

            // Closing waits for every task.
            let early = try await api.call(
                .post, "/api/v1/incidents/\(incident)/close", token: admin, json: #"{"lessons_learned":"-"}"#)
            #expect(early.status == .conflict)
            for task in try await api.call(.get, "/api/v1/incidents/\(incident)/tasks", token: admin).items
            where task["state"] as? String == "open" {
                let ended = try await api.call(
                    .patch, "/api/v1/incidents/\(incident)/tasks/\(task["id"]!)", token: admin,
                    json: #"{"state":"not_applicable","note":"handled outside PosGuard for this test"}"#)
                #expect(ended.status == .ok, "\(ended.text)")
            }
            let closed = try await api.call(
                .post, "/api/v1/incidents/\(incident)/close", token: admin,
                json: #"{"lessons_learned":"Tether the counter terminal."}"#)
            #expect(closed.status == .ok && closed.string("status") == "closed", "\(closed.text)")
            let late = try await api.call(
                .post, "/api/v1/incidents/\(incident)/notes", token: admin, json: #"{"text":"one more thing"}"#)
            #expect(late.status == .conflict)

            // The timeline holds the opening, the move, the tasks and the close, in time order.
            let timeline = try await api.call(.get, "/api/v1/incidents/\(incident)/timeline", token: admin).items
            let kinds = timeline.compactMap { $0["kind"] as? String }
            for kind in ["opened", "transition", "task", "closed"] { #expect(kinds.contains(kind), "\(kinds)") }
            let times = timeline.compactMap { ($0["at"] as? String).flatMap(RFC3339.parse) }
            #expect(times == times.sorted())
            // Every state change is in the audit log.
            let audit = try await api.all(
                "/api/v1/audit?target_id=\(incident)", token: try await api.token("admin@harbour.demo"))
            let actions = Set(audit.compactMap { $0["action"] as? String })
            #expect(actions.isSuperset(of: ["incident.open", "incident.task", "incident.close"]))
        }
    }

    @Test func thePoliceReadOnlyWhatTheyWereGrantedAndChangeNothing() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let police = try await api.token("liaison@police.demo")
            let terminals = try await api.all("/api/v1/terminals?state=active", token: admin, pageSize: 100)
            func open(_ terminal: [String: Any]) async throws -> String {
                let reply = try await api.call(
                    .post, "/api/v1/incidents", token: admin,
                    json: #"{"type":"suspected_theft","description":"missing","terminal_ids":["\#(terminal["id"]!)"]}"#)
                return try #require(reply.string("id"), "\(reply.text)")
            }
            let granted = try await open(terminals[0])
            let other = try await open(terminals[1])
            let officer = try #require(
                try await api.all("/api/v1/users", token: admin).first { $0["role"] as? String == "police_liaison" }?[
                    "id"] as? String)
            #expect(try await api.call(.get, "/api/v1/incidents/\(granted)", token: police).status == .notFound)
            let grant = try await api.call(
                .post, "/api/v1/incidents/\(granted)/access", token: admin, json: #"{"user_id":"\#(officer)"}"#)
            #expect(grant.status == .noContent, "\(grant.text)")

            let read = try await api.call(.get, "/api/v1/incidents/\(granted)", token: police)
            #expect(read.status == .ok && read.object["granted_to"] as? [String] == [])
            #expect(try await api.call(.get, "/api/v1/incidents/\(other)", token: police).status == .notFound)
            let listed = try await api.call(.get, "/api/v1/incidents", token: police).items
            #expect(listed.compactMap { $0["id"] as? String } == [granted])
            // Any change is refused before the body is read, malformed or not.
            for (method, path) in [
                (HTTPRequest.Method.patch, "/api/v1/incidents/\(granted)"),
                (.post, "/api/v1/incidents/\(granted)/notes"), (.post, "/api/v1/incidents/\(granted)/close"),
                (.post, "/api/v1/incidents/\(granted)/access"),
            ] {
                let reply = try await api.call(method, path, token: police, json: #"{"text": "#)
                #expect(reply.status == .forbidden, "\(method) \(path): \(reply.text)")
            }
            #expect(
                try await api.call(.post, "/api/v1/incidents/\(other)/notes", token: police, json: "{").status
                    == .notFound)
            // Every read of theirs is on the timeline.
            let timeline = try await api.call(.get, "/api/v1/incidents/\(granted)/timeline", token: admin).items
            #expect(timeline.contains { $0["kind"] as? String == "read" })

            let revoked = try await api.call(.delete, "/api/v1/incidents/\(granted)/access/\(officer)", token: admin)
            #expect(revoked.status == .noContent)
            #expect(try await api.call(.get, "/api/v1/incidents/\(granted)", token: police).status == .notFound)
        }
    }

    @Test func anIncidentFromAnAlertAndTheProvidersOwnPlan() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let merchant = try await api.token("admin@lotus-tea.demo")
            let plan =
                #"{"steps":[{"key":"call_security","title":"Call store security","owner_role":"store_manager","due_after_hours":0.5}]}"#
            #expect(
                try await api.call(.put, "/api/v1/incident-templates/tampering", token: merchant, json: plan).status
                    == .forbidden)
            let saved = try await api.call(.put, "/api/v1/incident-templates/tampering", token: admin, json: plan)
            #expect(saved.status == .ok, "\(saved.text)")
            let bad = try await api.call(
                .put, "/api/v1/incident-templates/tampering", token: admin, json: #"{"steps":[]}"#)
            #expect(bad.status == .unprocessableContent)

            let terminal = try #require(
                try await api.all("/api/v1/terminals?state=active", token: merchant, pageSize: 100).first)
            let id = try #require((terminal["id"] as? String).flatMap(UUID.init(uuidString:)))
            _ = try await api.tenant.app.ingest.ingest(
                [
                    .object([
                        "seq": .number(1), "type": .string("tamper"),
                        "at": .string(RFC3339.format(api.tenant.clock.now)),
                        "sensor": .string("lid"),
                    ])
                ], from: id)
            let alert = try #require(try await api.all("/api/v1/alerts", token: merchant).first?["id"] as? String)
            let opened = try await api.call(
                .post, "/api/v1/alerts/\(alert)/incident", token: merchant,
                json: #"{"type":"tampering","description":"the lid sensor fired"}"#)
            #expect(opened.status == .created, "\(opened.text)")
            #expect(opened.object["terminal_ids"] as? [String] == [id.uuidString])
            #expect(opened.string("alert_id") == alert)
            let keys = (opened.object["tasks"] as? [[String: Any]])?.compactMap { $0["key"] as? String }
            #expect(keys == [IncidentTemplate.sendContainment, "call_security"])
            #expect(
                try await api.call(
                    .post, "/api/v1/alerts/\(UUID())/incident", token: merchant,
                    json: #"{"type":"theft","description":"x"}"#
                )
                .status == .notFound)
        }
    }
}
