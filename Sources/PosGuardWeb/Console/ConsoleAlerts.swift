import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PosGuardDomain
import PosGuardServices
import ServiceLifecycle
import Synchronization

/// `/alerts`: the alert queue, kept live by server-sent events (`/alerts/stream`), each alert's page with
/// acknowledge, resolve and open-an-incident, and per-rule statistics.
struct ConsoleAlerts {
    let routes: ConsoleRoutes

    func add(to router: Router<AppRequestContext>) {
        routes.page("/alerts", on: router) { _, console in try await list(console) }
        routes.page("/alerts/{id}", on: router) { _, console in try await alert(try console.id("alert"), console) }
        router.get("/alerts/stream") { request, context in
            let console = await ConsoleRequest.make(
                request, context: context, app: routes.app, settings: routes.settings)
            guard let caller = console.caller, caller.role.readsOrganisation else {
                return Response(status: .unauthorized, headers: [.cacheControl: "no-store"])
            }
            let resume = request.headers[.lastEventID].flatMap(UUID.init(uuidString:))
            return stream(from: resume ?? Self.floor(at: console.app.runtime.now()), caller: caller, console)
        }
        routes.action("/alerts/{id}/acknowledge", on: router) { _, _, console in
            let id = try console.id("alert")
            _ = try await console.app.alerts.acknowledge(id, by: try console.signedIn())
            return ConsolePage.redirect("/alerts/\(id.uuidString)")
        }
        routes.action("/alerts/{id}/resolve", on: router) { form, _, console in
            let id = try console.id("alert")
            _ = try await console.app.alerts.resolve(
                id, .init(reason: form["reason"] ?? "", falsePositive: form.ticked("false_positive")),
                by: try console.signedIn())
            return ConsolePage.redirect("/alerts/\(id.uuidString)")
        }
        routes.action("/alerts/{id}/incident", on: router) { form, _, console in
            let id = try console.id("alert")
            let type = form["type"].flatMap(IncidentType.init(rawValue:)) ?? .suspectedTheft
            let details = try await console.app.incidents.open(
                fromAlert: id, .init(type: type, description: form["description"] ?? ""), by: try console.signedIn())
            return ConsolePage.redirect("/incidents/\(details.incident.id.uuidString)")
        }
    }

    /// The smallest time-ordered id of `date`'s millisecond: every alert raised after it sorts after it.
    static func floor(at date: Date) -> UUID {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(i)))) }
        bytes[6] = 0x70
        bytes[8] = 0x80
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9],
                bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    private func list(_ console: ConsoleRequest) async throws -> Response {
        let caller = try console.signedIn()
        let t = console.t
        let status = console.parameter("status").flatMap(AlertStatus.init(rawValue:))
        let severity = console.parameter("severity").flatMap(AlertSeverity.init(rawValue:))
        let page = try await console.app.alerts.list(
            AlertFilter(status: status, severity: severity),
            after: console.parameter("cursor").flatMap(Cursor.init(token:)), limit: 50, by: caller)
        let rules = try await console.app.alerts.rules(by: caller)
        let zones = await console.storeZones()
        let rows = page.items.map { row($0, zone: zones[$0.storeID] ?? .gmt, console) }
        let ruleRows = rules.map { rule -> [HTML] in
            ["\(t(ConsoleRequest.words(rule.rule.rawValue)))", "\(rule.open)", "\(rule.falsePositives)"]
        }
        let content: HTML = """
            <form method="get" action="/alerts" class="filters">
            \(console.select("status", label: "Status", AlertStatus.self, chosen: status?.rawValue, any: true))
            \(console.select("severity", label: "Severity", AlertSeverity.self, chosen: severity?.rawValue, any: true))
            <button type="submit">\(t("Filter"))</button>
            </form>
            <p class="live" data-live-status hidden>\(t("Live: new alerts appear here as they are raised."))</p>
            <div class="scroll"><table id="alerts" data-stream="/alerts/stream"\
             data-status="\(status?.rawValue ?? "")" data-severity="\(severity?.rawValue ?? "")">
            <thead><tr><th scope="col">\(t("Alert"))</th><th scope="col">\(t("Severity"))</th><th scope="col">\(t("Status"))</th><th scope="col">\(t("Last seen"))</th></tr></thead>
            <tbody>\(rows.map { cells -> HTML in "<tr>\(cells.map { cell -> HTML in "<td>\(cell)</td>" })</tr>" })</tbody>
            </table></div>
            \(rows.isEmpty ? HTML("<p class=\"empty\" data-empty>\(t("No alerts."))</p>") : "")
            \(console.nextLink(page, path: "/alerts"))
            <section><h2>\(t("Alerts by rule"))</h2>\(console.table(["Rule", "Open", "False positives"], ruleRows, empty: "No alerts."))</section>
            """
        return ConsolePage.render(t("Alerts"), content, for: console, active: "/alerts")
    }

    private func row(_ alert: Alert, zone: TimeZone, _ console: ConsoleRequest) -> [HTML] {
        [
            "<a href=\"/alerts/\(alert.id.uuidString)\">\(alert.message)</a>", console.badge(alert.severity),
            console.badge(alert.status), console.time(alert.lastAt, in: zone),
        ]
    }

    private func alert(_ id: UUID, _ console: ConsoleRequest) async throws -> Response {
        let caller = try console.signedIn()
        let t = console.t
        let alert = try await console.app.alerts.find(id, by: caller)
        let terminal = try await console.app.terminals.find(alert.terminalID, by: caller)
        let zone = (try? await console.app.stores.find(alert.storeID, by: caller))?.zone ?? .gmt
        let facts: [(String, HTML)] = [
            ("Rule", "\(t(ConsoleRequest.words(alert.rule.rawValue)))"), ("Severity", console.badge(alert.severity)),
            ("Status", console.badge(alert.status)),
            (
                "Terminal",
                "<a href=\"/terminals/\(terminal.id.uuidString)\">\(terminal.tid)</a> \(console.badge(terminal.state))"
            ),
            ("First seen", console.time(alert.firstAt, in: zone)), ("Last seen", console.time(alert.lastAt, in: zone)),
            ("Occurrences", "\(alert.occurrences)"),
            (
                "Acknowledged",
                alert.acknowledgedAt == nil
                    ? "—" : "\(console.time(alert.acknowledgedAt, in: zone)) \(alert.acknowledgedBy ?? "")"
            ),
            (
                "Resolved",
                alert.resolvedAt == nil
                    ? "—"
                    : "\(console.time(alert.resolvedAt, in: zone)) \(alert.resolvedBy ?? ""): \(alert.resolution ?? "")"
            ),
        ]
        var actions: [HTML] = []
        if caller.may(.workAlerts), alert.status == .open {
            actions.append(console.button("Acknowledge", action: "/alerts/\(id.uuidString)/acknowledge"))
        }
        if caller.may(.workAlerts), alert.status != .resolved {
            actions.append(
                """
                <form method="post" action="/alerts/\(id.uuidString)/resolve" class="stack">\(console.csrfField)
                <label for="reason">\(t("Resolution"))</label>
                <input id="reason" name="reason" required maxlength="2000">
                <label class="check"><input type="checkbox" name="false_positive"> \(t("False positive"))</label>
                <button type="submit">\(t("Resolve"))</button>
                </form>
                """)
        }
        if caller.may(.respondToIncidents) {
            actions.append(
                """
                <form method="post" action="/alerts/\(id.uuidString)/incident" class="stack">\(console.csrfField)
                \(console.select("type", label: "Incident type", IncidentType.self, chosen: IncidentType.suspectedTheft.rawValue, any: false))
                <label for="description">\(t("What happened"))</label>
                <input id="description" name="description" required maxlength="2000">
                <button type="submit">\(t("Open an incident"))</button>
                </form>
                """)
        }
        let content: HTML = """
            <div class="grid">
            <section class="card"><h2>\(alert.message)</h2><dl class="facts">\(facts.map { label, value -> HTML in "<dt>\(t(label))</dt><dd>\(value)</dd>" })</dl></section>
            <section class="card"><h2>\(t("Actions"))</h2>\(actions.isEmpty ? HTML("<p class=\"empty\">\(t("Nothing to do."))</p>") : HTML.join(actions))</section>
            </div>
            """
        return ConsolePage.render(t("Alert"), content, for: console, active: "/alerts")
    }

    /// New alerts in the caller's scope as server-sent events, checked every second (so every instance's alerts
    /// arrive, whichever raised them); each carries its id, so a reconnecting browser resumes where it left off.
    private func stream(from start: UUID, caller: Caller, _ console: ConsoleRequest) -> Response {
        let app = console.app
        let body = ResponseBody { writer in
            let zones = await console.storeZones()
            var cursor = Cursor(afterID: start)
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            // A stream ends within the hour (the browser reconnects and resumes), and at once when the server
            // shuts down, which would otherwise wait for it.
            let stopping = Mutex(false)
            try await withGracefulShutdownHandler {
                for tick in 0..<3600 where !stopping.withLock({ $0 }) {
                    let page = try await app.alerts.list(AlertFilter(), after: cursor, limit: 100, by: caller)
                    for alert in page.items {
                        try await writer.write(
                            ByteBuffer(string: Self.event(alert, zone: zones[alert.storeID] ?? .gmt, console)))
                        cursor = Cursor(afterID: alert.id)
                    }
                    if page.items.isEmpty, tick % 15 == 0 {
                        try await writer.write(ByteBuffer(string: ": waiting\n\n"))
                    }
                    try await Task.sleep(for: .seconds(1))
                }
            } onGracefulShutdown: {
                stopping.withLock { $0 = true }
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store"], body: body)
    }

    /// One alert as an event: what the page's script needs to add its row, labels already in the page's language.
    static func event(_ alert: Alert, zone: TimeZone, _ console: ConsoleRequest) -> String {
        let fields: [String: String] = [
            "id": alert.id.uuidString, "href": "/alerts/\(alert.id.uuidString)", "message": alert.message,
            "severity": alert.severity.rawValue,
            "severity_label": console.t(ConsoleRequest.words(alert.severity.rawValue)),
            "status": alert.status.rawValue, "status_label": console.t(ConsoleRequest.words(alert.status.rawValue)),
            "last_seen": console.language.dateTime(alert.lastAt, in: zone),
            "last_seen_iso": RFC3339.format(alert.lastAt),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
        return "id: \(alert.id.uuidString)\nevent: alert\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
}
