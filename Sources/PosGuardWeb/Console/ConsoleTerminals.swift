import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// `/terminals`: the searchable fleet, and each terminal's page with its track, events, alerts, commands and the
/// actions the user's role allows.
struct ConsoleTerminals {
    let routes: ConsoleRoutes

    func add(to router: Router<AppRequestContext>) {
        routes.page("/terminals", on: router) { _, console in
            try await list(console)
        }
        routes.page("/terminals/{id}", on: router) { _, console in
            try await terminal(try console.id("terminal"), console)
        }
        routes.action("/terminals/{id}/lock", on: router) { form, _, console in
            let id = try console.id("terminal")
            try form.confirmed()
            _ = try await console.app.commands.issue(
                .init(
                    type: .lock, message: form["message"], contactPhone: form["contact_phone"], reason: form["reason"]),
                to: id, by: try console.signedIn())
            return ConsolePage.redirect("/terminals/\(id.uuidString)")
        }
        routes.action("/terminals/{id}/unlock", on: router) { form, _, console in
            let id = try console.id("terminal")
            _ = try await console.app.commands.issue(
                .init(type: .unlock, reason: form["reason"]), to: id, by: try console.signedIn())
            return ConsolePage.redirect("/terminals/\(id.uuidString)")
        }
        routes.action("/terminals/{id}/report-stolen", on: router) { form, _, console in
            let id = try console.id("terminal")
            try form.confirmed()
            let details = try await console.app.incidents.open(
                .init(
                    type: .theft, description: form["description"] ?? console.t("Reported stolen from the console"),
                    terminalIDs: [id], place: form["place"]), by: try console.signedIn())
            return ConsolePage.redirect("/incidents/\(details.incident.id.uuidString)")
        }
        routes.action("/terminals/{id}/suspected-stolen", on: router) { form, _, console in
            let id = try console.id("terminal")
            try form.confirmed()
            _ = try await console.app.terminals.move(
                id,
                .init(to: .suspectedStolen, reason: form["reason"] ?? console.t("Reported missing from the console")),
                by: try console.signedIn())
            return ConsolePage.redirect("/terminals/\(id.uuidString)")
        }
        routes.action("/terminals/{id}/move", on: router) { form, _, console in
            let id = try console.id("terminal")
            guard let state = form["to"].flatMap(TerminalState.init(rawValue:)) else {
                throw ValidationFailure([FieldError("to", "choose the state to move to")])
            }
            try form.confirmed()
            _ = try await console.app.terminals.move(
                id, .init(to: state, reason: form["reason"] ?? ""), by: try console.signedIn())
            return ConsolePage.redirect("/terminals/\(id.uuidString)")
        }
        routes.action("/terminals/{id}/unlock-code", on: router) { form, _, console in
            let id = try console.id("terminal")
            let issued = try await console.app.commands.unlockCode(
                for: id, challenge: form["challenge"] ?? "", by: try console.signedIn())
            return Self.code(
                console, id: id, title: console.t("Unlock code"), code: issued.code, until: issued.validUntil,
                hint: console.t("Read it out to the store: it unlocks this terminal for the challenge it showed."))
        }
        routes.action("/terminals/{id}/enrollment-code", on: router) { _, _, console in
            let id = try console.id("terminal")
            let issued = try await console.app.enrollment.issueCode(for: id, by: try console.signedIn())
            return Self.code(
                console, id: id, title: console.t("Enrollment code"), code: issued.code, until: issued.expiresAt,
                hint: console.t("Type it into the PosGuard agent on the terminal. It works once."))
        }
    }

    private func list(_ console: ConsoleRequest) async throws -> Response {
        let caller = try console.signedIn()
        let t = console.t
        let state = console.parameter("state").flatMap(TerminalState.init(rawValue:))
        let search = console.parameter("q").map { String($0.prefix(64)) }
        let page = try await console.app.terminals.list(
            TerminalFilter(
                state: state, storeID: console.parameter("store_id").flatMap(UUID.init(uuidString:)), search: search),
            after: console.parameter("cursor").flatMap(Cursor.init(token:)), limit: 50, by: caller)
        let stores = try await console.app.stores.list(merchant: nil, after: nil, limit: 500, by: caller).items
        let storeNames = Dictionary(uniqueKeysWithValues: stores.map { ($0.id, $0.name) })
        let rows = page.items.map { terminal -> [HTML] in
            [
                "<a href=\"/terminals/\(terminal.id.uuidString)\">\(terminal.tid)</a>", "\(terminal.serial)",
                "\(terminal.make) \(terminal.model)", "\(storeNames[terminal.storeID] ?? "—")",
                console.badge(terminal.state),
            ]
        }
        let content: HTML = """
            <form method="get" action="/terminals" class="filters" role="search">
            <label for="q">\(t("TID, serial or MID"))</label>
            <input id="q" name="q" value="\(search ?? "")" maxlength="64">
            \(console.select("state", label: "State", TerminalState.self, chosen: state?.rawValue, any: true))
            <button type="submit">\(t("Search"))</button>
            </form>
            \(console.table(["TID", "Serial", "Model", "Store", "State"], rows, empty: "No terminal matches."))
            \(console.nextLink(page, path: "/terminals"))
            \(register(caller, stores: stores, console))
            """
        return ConsolePage.render(t("Terminals"), content, for: console, active: "/terminals")
    }

    private func terminal(_ id: UUID, _ console: ConsoleRequest) async throws -> Response {
        let caller = try console.signedIn()
        let app = console.app
        let t = console.t
        let terminal = try await app.terminals.find(id, by: caller)
        let store = try await app.stores.find(terminal.storeID, by: caller)
        let zone = store.zone
        async let history = app.terminals.history(id, by: caller)
        async let events = app.ingest.latestEvents(of: id, limit: 100, by: caller)
        async let alerts = app.alerts.list(AlertFilter(terminalID: id), after: nil, limit: 20, by: caller)
        async let commands = app.commands.list(of: id, by: caller)
        let recent = try await events
        let plot = TrackPlot(geofence: store.geofence, fixes: TrackPlot.fixes(in: recent))
        let facts: [(String, HTML)] = [
            ("State", console.badge(terminal.state)), ("TID", "\(terminal.tid)"), ("MID", "\(terminal.mid)"),
            ("Serial", "\(terminal.serial)"), ("Model", "\(terminal.make) \(terminal.model)"),
            ("Store", "<a href=\"/stores/\(store.id.uuidString)\">\(store.name)</a> (\(store.code))"),
            ("Firmware", "\(terminal.firmwareVersion ?? "—")"), ("App", "\(terminal.appVersion ?? "—")"),
            ("SIM (ICCID)", "\(terminal.iccid ?? "—")"), ("Registered", console.time(terminal.createdAt, in: zone)),
        ]
        let factList = facts.map { label, value -> HTML in "<dt>\(t(label))</dt><dd>\(value)</dd>" }
        let historyRows = try await history.reversed().map { move -> [HTML] in
            [
                console.time(move.at, in: zone), move.from.map(console.badge) ?? "—", console.badge(move.to),
                "\(move.actor)", "\(move.reason)",
            ]
        }
        let eventRows = recent.prefix(30).map { event -> [HTML] in
            [
                "\(event.seq)", console.time(event.at, in: zone), "\(t(ConsoleRequest.words(event.type)))",
                "<code>\(event.body)</code>",
            ]
        }
        let alertRows = try await alerts.items.map { alert -> [HTML] in
            [
                "<a href=\"/alerts/\(alert.id.uuidString)\">\(alert.message)</a>", console.badge(alert.severity),
                console.badge(alert.status), console.time(alert.lastAt, in: zone),
            ]
        }
        let commandRows = try await commands.map { command -> [HTML] in
            [
                "\(t(ConsoleRequest.words(command.type.rawValue)))",
                "\(t(ConsoleRequest.words(command.status.rawValue)))",
                console.time(command.createdAt, in: zone), console.time(command.deliveredAt, in: zone),
                "\(command.createdBy)",
            ]
        }
        let content: HTML = """
            <div class="grid">
            <section class="card"><h2>\(t("Registry"))</h2><dl class="facts">\(factList)</dl></section>
            <section class="card"><h2>\(t("Recent track"))</h2>
            \(plot.svg(title: t("Recent locations against the store's geofence"), inside: t("Inside the geofence"), outside: t("Outside the geofence")))
            <p class="hint">\(t("Circle: the store's geofence. Dots: recent fixes, the last one larger; red when outside."))</p>
            </section>
            <section class="card"><h2>\(t("Actions"))</h2>\(actions(terminal, caller, console))</section>
            </div>
            <section><h2>\(t("Alerts"))</h2>\(console.table(["Alert", "Severity", "Status", "Last seen"], alertRows, empty: "No alerts."))</section>
            <section><h2>\(t("Commands"))</h2>\(console.table(["Command", "Status", "Sent", "Delivered", "By"], commandRows, empty: "No commands."))</section>
            <section><h2>\(t("History"))</h2>\(console.table(["When", "From", "To", "By", "Reason"], historyRows, empty: "No history."))</section>
            <section><h2>\(t("Recent events"))</h2>\(console.table(["Seq", "When", "Type", "Event"], eventRows, empty: "No events yet."))</section>
            """
        return ConsolePage.render("\(t("Terminal")) \(terminal.tid)", content, for: console, active: "/terminals")
    }

    /// The form that registers a terminal (it starts in stock), for the roles that may.
    private func register(_ caller: Caller, stores: [Store], _ console: ConsoleRequest) -> HTML {
        guard caller.may(.registerTerminal), !stores.isEmpty else { return "" }
        let t = console.t
        let options = stores.map { store -> HTML in
            "<option value=\"\(store.id.uuidString)\">\(store.name) (\(store.code))</option>"
        }
        let fields = [("make", "Make"), ("model", "Model"), ("serial", "Serial"), ("tid", "TID"), ("mid", "MID")]
            .map { key, label -> HTML in
                "<label for=\"new-\(key)\">\(t(label))</label><input id=\"new-\(key)\" name=\"\(key)\" required maxlength=\"64\">"
            }
        return """
            <section class="card"><h2>\(t("Register a terminal"))</h2>
            <form method="post" action="/terminals" class="stack">\(console.csrfField)
            <label for="new-store">\(t("Store"))</label><select id="new-store" name="store_id">\(options)</select>
            \(fields)
            <button type="submit">\(t("Register"))</button></form></section>
            """
    }

    /// Exactly the actions the caller's role allows on this terminal now.
    private func actions(_ terminal: Terminal, _ caller: Caller, _ console: ConsoleRequest) -> HTML {
        let t = console.t
        let base = "/terminals/\(terminal.id.uuidString)"
        var parts: [HTML] = []
        if caller.may(.terminal(.send(.lock))), terminal.state != .retired {
            parts.append(
                """
                <form method="post" action="\(base)/lock" class="stack">\(console.csrfField)
                <label for="lock-message">\(t("Message shown on the terminal"))</label>
                <input id="lock-message" name="message" maxlength="200" value="\(t("This terminal is locked. Please call the store's security line."))">
                <label for="lock-reason">\(t("Reason"))</label>
                <input id="lock-reason" name="reason" maxlength="200">
                \(console.confirmBox)
                <button type="submit" class="danger">\(t("Lock"))</button>
                </form>
                """)
        }
        if caller.may(.terminal(.send(.unlock))), terminal.state == .locked {
            parts.append(console.button("Unlock", action: "\(base)/unlock"))
        }
        if caller.may(.respondToIncidents), ![.stolen, .retired].contains(terminal.state) {
            parts.append(
                """
                <form method="post" action="\(base)/report-stolen" class="stack">\(console.csrfField)
                <label for="stolen-description">\(t("What happened"))</label>
                <input id="stolen-description" name="description" maxlength="2000" required>
                \(console.confirmBox)
                <button type="submit" class="danger">\(t("Report stolen"))</button>
                </form>
                """)
        }
        if !caller.may(.respondToIncidents), terminal.state == .active,
            caller.may(.terminal(.move(from: .active, to: .suspectedStolen)))
        {
            parts.append(
                """
                <form method="post" action="\(base)/suspected-stolen" class="stack">\(console.csrfField)
                <label for="missing-reason">\(t("What happened"))</label>
                <input id="missing-reason" name="reason" maxlength="2000" required>
                \(console.confirmBox)
                <button type="submit" class="danger">\(t("Report it missing"))</button>
                </form>
                """)
        }
        if caller.may(.terminal(.issueUnlockCode)), terminal.state == .locked {
            parts.append(
                """
                <form method="post" action="\(base)/unlock-code" class="stack">\(console.csrfField)
                <label for="challenge">\(t("Challenge shown on the terminal"))</label>
                <input id="challenge" name="challenge" required maxlength="32" autocomplete="off">
                <button type="submit">\(t("Unlock code"))</button>
                </form>
                """)
        }
        let moves = terminal.state.allowedNext.filter { caller.may(.terminal(.move(from: terminal.state, to: $0))) }
        if !moves.isEmpty {
            let options = moves.map { state -> HTML in
                "<option value=\"\(state.rawValue)\">\(t(ConsoleRequest.words(state.rawValue)))</option>"
            }
            parts.append(
                """
                <form method="post" action="\(base)/move" class="stack">\(console.csrfField)
                <label for="move-to">\(t("Move to"))</label><select id="move-to" name="to">\(options)</select>
                <label for="move-reason">\(t("Reason"))</label>
                <input id="move-reason" name="reason" maxlength="500" required>
                \(console.confirmBox)
                <button type="submit">\(t("Move"))</button>
                </form>
                """)
        }
        if caller.may(.issueEnrollmentCode), [.inventory, .active, .maintenance].contains(terminal.state) {
            parts.append(console.button("Enrollment code", action: "\(base)/enrollment-code"))
        }
        return parts.isEmpty
            ? "<p class=\"empty\">\(t("Your role has no actions on this terminal."))</p>" : HTML.join(parts)
    }

    private static func code(
        _ console: ConsoleRequest, id: UUID, title: String, code: String, until: Date, hint: String
    ) -> Response {
        let content: HTML = """
            <div class="card narrow">
            <p class="code" aria-label="\(title)">\(code)</p>
            <p>\(hint)</p>
            <p>\(console.t("Valid until")) \(console.time(until))</p>
            <p><a href="/terminals/\(id.uuidString)">\(console.t("Back to the terminal"))</a></p>
            </div>
            """
        return ConsolePage.render(title, content, for: console, active: "/terminals")
    }
}
