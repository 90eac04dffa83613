import Crypto
import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// `/incidents`: the list, opening one by hand, and each incident's page — tasks, timeline, notes, impact,
/// customers, evidence and the closing report.
struct ConsoleIncidents {
    let routes: ConsoleRoutes

    func add(to router: Router<AppRequestContext>) {
        routes.page("/incidents", on: router) { _, console in try await list(console) }
        routes.page("/incidents/{id}", on: router) { _, console in
            try await incident(try console.id("incident"), console)
        }
        routes.action("/incidents", on: router) { form, _, console in
            let terminals = (form["terminal_ids"] ?? "").split(whereSeparator: { $0 == "," || $0 == " " })
                .compactMap { UUID(uuidString: String($0)) }
            let details = try await console.app.incidents.open(
                .init(
                    type: form["type"].flatMap(IncidentType.init(rawValue:)) ?? .theft,
                    description: form["description"] ?? "", terminalIDs: terminals, place: form["place"]),
                by: try console.signedIn())
            return ConsolePage.redirect("/incidents/\(details.incident.id.uuidString)")
        }
        routes.action("/incidents/{id}/tasks/{task}", on: router) { form, _, console in
            let id = try console.id("incident")
            let task = try console.id("task", at: 3)
            _ = try await console.app.incidents.endTask(
                task, of: id,
                .init(
                    state: form["state"].flatMap(IncidentTask.State.init(rawValue:)) ?? .done, note: form["note"],
                    policeReportNumber: form["police_report_number"], policeStation: form["police_station"]),
                by: try console.signedIn())
            return ConsolePage.redirect("/incidents/\(id.uuidString)#tasks")
        }
        routes.action("/incidents/{id}/notes", on: router) { form, _, console in
            let id = try console.id("incident")
            _ = try await console.app.incidents.note(form["text"] ?? "", on: id, by: try console.signedIn())
            return ConsolePage.redirect("/incidents/\(id.uuidString)#timeline")
        }
        routes.action("/incidents/{id}/customer-notices", on: router) { _, _, console in
            let id = try console.id("incident")
            _ = try await console.app.incidentReports.notifyCustomers(id, by: try console.signedIn())
            return ConsolePage.redirect("/incidents/\(id.uuidString)#impact")
        }
        routes.action("/incidents/{id}/close", on: router) { form, _, console in
            let id = try console.id("incident")
            try form.confirmed()
            _ = try await console.app.incidents.close(id, lessons: form["lessons"] ?? "", by: try console.signedIn())
            return ConsolePage.redirect("/incidents/\(id.uuidString)")
        }
        routes.page("/incidents/{id}/customers.csv", on: router) { _, console in
            let csv = try await console.app.incidentReports.customersCSV(
                try console.id("incident"), by: try console.signedIn())
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/csv; charset=utf-8",
                    .contentDisposition: "attachment; filename=\"customers.csv\"",
                    .cacheControl: "no-store",
                ], body: ResponseBody(byteBuffer: ByteBuffer(string: csv)))
        }
        routes.page("/incidents/{id}/report", on: router) { _, console in
            let report = try await console.app.incidentReports.report(
                try console.id("incident"), by: try console.signedIn())
            return Self.standalone(report.html())
        }
    }

    /// The closing report: a document of its own, for printing and filing, whose one style sheet is allowed by its
    /// hash — still no inline style or script the policy does not name.
    static func standalone(_ document: String) -> Response {
        var policy =
            "default-src 'none'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
        if let open = document.range(of: "<style>"),
            let close = document.range(of: "</style>", range: open.upperBound..<document.endIndex)
        {
            let digest = Data(SHA256.hash(data: Data(document[open.upperBound..<close.lowerBound].utf8)))
                .base64EncodedString()
            policy += "; style-src 'sha256-\(digest)'"
        }
        var headers = ConsolePage.headers
        headers[.contentSecurityPolicy] = policy
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: document)))
    }

    private func list(_ console: ConsoleRequest) async throws -> Response {
        let caller = try console.signedIn()
        let t = console.t
        let status = console.parameter("status").flatMap(IncidentStatus.init(rawValue:))
        let page = try await console.app.incidents.list(
            status: status, after: console.parameter("cursor").flatMap(Cursor.init(token:)), limit: 50, by: caller)
        let zones = await console.storeZones()
        let rows = page.items.map { incident -> [HTML] in
            [
                "<a href=\"/incidents/\(incident.id.uuidString)\">\(t(ConsoleRequest.words(incident.type.rawValue)))</a>",
                "\(t(ConsoleRequest.words(incident.status.rawValue)))",
                console.time(incident.openedAt, in: zones[incident.storeID] ?? .gmt),
                "\(incident.terminalIDs.count)", "\(incident.description)",
            ]
        }
        var content: HTML = """
            <form method="get" action="/incidents" class="filters">
            \(console.select("status", label: "Status", IncidentStatus.self, chosen: status?.rawValue, any: true))
            <button type="submit">\(t("Filter"))</button>
            </form>
            \(console.table(["Incident", "Status", "Opened", "Terminals", "Description"], rows, empty: "No incidents."))
            \(console.nextLink(page, path: "/incidents"))
            """
        if caller.may(.respondToIncidents) {
            content = """
                \(content)
                <section class="card"><h2>\(t("Open an incident"))</h2>
                <form method="post" action="/incidents" class="stack">\(console.csrfField)
                \(console.select("type", label: "Incident type", IncidentType.self, chosen: IncidentType.theft.rawValue, any: false))
                <label for="terminal_ids">\(t("Terminal ids (from the terminal's page), separated by commas"))</label>
                <input id="terminal_ids" name="terminal_ids" required value="\(console.parameter("terminal") ?? "")">
                <label for="description">\(t("What happened"))</label>
                <textarea id="description" name="description" required maxlength="4000"></textarea>
                <label for="place">\(t("Place"))</label>
                <input id="place" name="place" maxlength="200">
                <button type="submit">\(t("Open an incident"))</button>
                </form></section>
                """
        }
        return ConsolePage.render(t("Incidents"), content, for: console, active: "/incidents")
    }

    private func incident(_ id: UUID, _ console: ConsoleRequest) async throws -> Response {
        let caller = try console.signedIn()
        let app = console.app
        let t = console.t
        let details = try await app.incidents.find(id, by: caller)
        let incident = details.incident
        let timeline = try await app.incidents.timeline(id, by: caller)
        let impact = try? await app.incidentReports.impact(id, by: caller)
        let evidence = try await routes.locker.list(of: id, by: caller)
        let zone = (try? await app.stores.find(incident.storeID, by: caller))?.zone ?? .gmt
        var tids: [UUID: String] = [:]
        for terminal in incident.terminalIDs {
            tids[terminal] = (try? await app.terminals.find(terminal, by: caller))?.tid
        }
        let open = incident.status == .open
        let writes = open && caller.may(.respondToIncidents)
        let facts: [(String, HTML)] = [
            ("Type", "\(t(ConsoleRequest.words(incident.type.rawValue)))"),
            ("Status", "\(t(ConsoleRequest.words(incident.status.rawValue)))"),
            ("Discovered", console.time(incident.discoveredAt, in: zone)),
            ("Opened", "\(console.time(incident.openedAt, in: zone)) \(incident.openedBy)"),
            ("Place", "\(incident.place ?? "—")"), ("Reporter", "\(incident.reporter)"),
            ("Police report", "\(incident.policeReportNumber ?? "—") \(incident.policeStation ?? "")"),
            (
                "Terminals",
                HTML.join(
                    incident.terminalIDs.map { id -> HTML in
                        guard let tid = tids[id] else { return "\(String(id.uuidString.prefix(8)))" }
                        return "<a href=\"/terminals/\(id.uuidString)\">\(tid)</a>"
                    },
                    separator: ", ")
            ),
        ]
        let taskRows = details.tasks.map { task -> [HTML] in
            let end: HTML =
                writes && task.state == .open
                ? """
                <form method="post" action="/incidents/\(id.uuidString)/tasks/\(task.id.uuidString)" class="inline">\(console.csrfField)

                <input id="note-\(task.id.uuidString)" name="note" placeholder="\(t("Note"))" aria-label="\(t("Note"))" maxlength="2000">
                \(task.key == "report_police" ? HTML("<input name=\"police_report_number\" placeholder=\"\(t("Police report number"))\" aria-label=\"\(t("Police report number"))\"><input name=\"police_station\" placeholder=\"\(t("Police station"))\" aria-label=\"\(t("Police station"))\">") : "")
                <button type="submit" name="state" value="done">\(t("Done"))</button>
                <button type="submit" name="state" value="not_applicable" class="secondary">\(t("Not applicable"))</button>
                </form>
                """
                : "\(task.doneBy ?? "") \(task.note ?? "")"
            return [
                "\(task.title)", "\(t(ConsoleRequest.words(task.ownerRole.rawValue)))",
                console.time(task.dueAt, in: zone),
                "\(t(ConsoleRequest.words(task.state.rawValue)))", end,
            ]
        }
        let timelineRows = timeline.reversed().map { entry -> [HTML] in
            [
                console.time(entry.at, in: zone), "\(t(ConsoleRequest.words(entry.kind)))", "\(entry.actor)",
                "\(entry.text)",
            ]
        }
        var impactSection: HTML = ""
        if let impact {
            let loss = impact.estimatedLoss.map {
                "\(console.language.number(Double($0.amountMinor) / 100, fractionDigits: 2)) \($0.currency)"
            }
            .joined(separator: ", ")
            let customerRows = impact.customers.map { customer -> [HTML] in
                ["\(customer.card)", "\(customer.payments)", "\(customer.email ?? "—")"]
            }
            impactSection = """
                <section id="impact"><h2>\(t("Impact"))</h2>
                <dl class="facts"><dt>\(t("Affected payments"))</dt><dd>\(impact.payments.count)</dd>
                <dt>\(t("Estimated loss"))</dt><dd>\(loss.isEmpty ? "—" : loss)</dd>
                <dt>\(t("Payment downtime"))</dt><dd>\(console.language.number(impact.downtimeSeconds / 60)) min</dd></dl>
                \(console.table(["Card", "Payments", "Contact"], customerRows, empty: "No customers affected."))
                <p><a href="/incidents/\(id.uuidString)/customers.csv">\(t("Export the customer list (CSV)"))</a></p>
                \(writes ? console.button("Notify customers", action: "/incidents/\(id.uuidString)/customer-notices") : "")
                </section>
                """
        }
        var closing: HTML = ""
        if writes {
            closing = """
                <section class="card"><h2>\(t("Close the incident"))</h2>
                <form method="post" action="/incidents/\(id.uuidString)/close" class="stack">\(console.csrfField)
                <label for="lessons">\(t("Lessons learned"))</label>
                <textarea id="lessons" name="lessons" required maxlength="8000"></textarea>
                \(console.confirmBox)
                <button type="submit" class="danger">\(t("Close"))</button>
                </form></section>
                """
        }
        let note: HTML =
            writes
            ? """
            <form method="post" action="/incidents/\(id.uuidString)/notes" class="stack">\(console.csrfField)
            <label for="note">\(t("Add a note"))</label><textarea id="note" name="text" required maxlength="4000"></textarea>
            <button type="submit">\(t("Add"))</button></form>
            """ : ""
        let content: HTML = """
            <div class="grid">
            <section class="card"><h2>\(incident.description)</h2><dl class="facts">\(facts.map { label, value -> HTML in "<dt>\(t(label))</dt><dd>\(value)</dd>" })</dl>
            <p><a href="/incidents/\(id.uuidString)/report">\(t("Closing report"))</a></p></section>
            \(closing)
            </div>
            <section id="tasks"><h2>\(t("Response plan"))</h2>\(console.table(["Task", "Owner", "Due", "State", ""], taskRows, empty: "No tasks."))</section>
            \(impactSection)
            \(ConsoleEvidence.section(id, items: evidence, writes: writes, zone: zone, console))
            <section id="timeline"><h2>\(t("Timeline"))</h2>\(note)\(console.table(["When", "What", "Who", "Detail"], timelineRows, empty: "Nothing yet."))</section>
            """
        return ConsolePage.render(t("Incident"), content, for: console, active: "/incidents")
    }
}
