import Foundation

/// The whole response to a theft, run through the API against the grab-and-run terminal once the simulated
/// day is over: an incident from its alert, the impact, the customers told, the plan's tasks ended, the
/// recovered terminal inspected, the incident closed, and its report read back and checked.
struct TheftResponse {
    let client: PosGuardClient
    let token: String

    /// Runs the response for a terminal; returns what the report got wrong (nothing when all is well).
    func run(terminal: UUID, tid: String) async throws -> [String] {
        let id = terminal.uuidString
        let alerts = try await client.all("/api/v1/alerts?terminal_id=\(id)", token: token)
        let draft: [String: Any] = ["type": "theft", "description": "simulated grab and run at the counter"]
        let opened =
            if let alert = alerts.first?["id"] as? String {
                try await client.expect(201, .POST, "/api/v1/alerts/\(alert)/incident", token: token, json: draft)
            } else {
                try await client.expect(
                    201, .POST, "/api/v1/incidents", token: token,
                    json: draft.merging(["terminal_ids": [id]]) { a, _ in a })
            }
        guard let incident = opened.object["id"] as? String else { return ["the incident answered no id"] }
        let path = "/api/v1/incidents/\(incident)"
        _ = try await client.expect(200, .PATCH, path, token: token, json: ["terminal_value_minor": 30000])

        let impact = try await client.expect(200, .GET, path + "/impact", token: token)
        let cards = (impact.object["customers"] as? [[String: Any]] ?? []).compactMap { $0["card"] as? String }
        for (n, card) in cards.enumerated() {
            _ = try await client.expect(
                200, .PUT, path + "/customers/\(card)", token: token,
                json: ["email": "customer\(n)@example.com", "name": "Customer \(n)"])
        }
        let notices = try await client.expect(201, .POST, path + "/customer-notices", token: token)

        for task in try await client.all(path + "/tasks", token: token) where task["state"] as? String == "open" {
            var end: [String: Any] = ["state": "done", "note": "done in the simulated response"]
            if task["key"] as? String == "report_police" {
                end["police_report_number"] = "SIM-\(tid)"
                end["police_station"] = "Simulated station"
            }
            _ = try await client.expect(200, .PATCH, path + "/tasks/\(task["id"]!)", token: token, json: end)
        }

        // Found again: recovered, then inspected (the move back to active is a release needing TOTP, which the
        // simulator's account does not hold).
        _ = try await client.expect(
            200, .POST, "/api/v1/terminals/\(id)/transitions", token: token,
            json: ["to": "recovered", "reason": "found two streets away"])
        let firmware =
            try await client.expect(200, .GET, "/api/v1/terminals/\(id)", token: token).object["firmware_version"]
            as? String ?? ""
        let inspection = try await client.expect(
            201, .POST, "/api/v1/terminals/\(id)/inspections", token: token,
            json: [
                "serial_matches": true, "seals_intact": true, "no_overlay_or_skimmer": true, "casing_intact": true,
                "firmware_version": firmware,
            ])
        let lessons = "Tether the counter terminal; keep the store's spare in the safe."
        _ = try await client.expect(200, .POST, path + "/close", token: token, json: ["lessons_learned": lessons])

        let report = try await client.expect(200, .GET, path + "/report", token: token).object
        _ = try await client.expect(200, .GET, path + "/report.html", token: token)
        var problems: [String] = []
        let closed = report["incident"] as? [String: Any]
        if closed?["status"] as? String != "closed" { problems.append("the report's incident is not closed") }
        if closed?["lessons_learned"] as? String != lessons { problems.append("the report lost the lessons learned") }
        let reportImpact = report["impact"] as? [String: Any]
        let payments = reportImpact?["payments"] as? [[String: Any]] ?? []
        if payments.isEmpty { problems.append("the report counts no payments since the theft") }
        if payments.contains(where: { ($0["card"] as? String)?.filter(\.isNumber).count ?? 0 > 10 }) {
            problems.append("the report shows more of a card than its masked form")
        }
        let told = (reportImpact?["customers"] as? [[String: Any]] ?? []).filter { $0["email"] != nil }.count
        if told != cards.count || notices.object["sent"] as? Int != cards.count {
            problems.append("\(cards.count) customers, \(told) with a contact, \(notices.object["sent"] ?? 0) told")
        }
        let timeline = report["timeline"] as? [[String: Any]] ?? []
        if timeline.filter({ $0["kind"] as? String == "notice" }).count != cards.count {
            problems.append("the timeline does not hold every notice")
        }
        let tasks = report["tasks"] as? [[String: Any]] ?? []
        if tasks.isEmpty || tasks.contains(where: { $0["state"] as? String == "open" || $0["done_by"] == nil }) {
            problems.append("the report's tasks are not all ended with who ended them")
        }
        if inspection.object["passed"] as? Bool != true { problems.append("the recovered terminal failed inspection") }
        say(
            "\nTheft response on \(tid): incident \(incident), \(payments.count) payments, \(cards.count) customers "
                + "told, inspection \(inspection.object["passed"] as? Bool == true ? "passed" : "FAILED"), "
                + "closed, report \(problems.isEmpty ? "complete" : "WRONG: " + problems.joined(separator: "; "))")
        return problems
    }
}
