import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// `/`: the sign-in form when signed out; otherwise what needs attention in the caller's reach — terminals by
/// state, open alerts by severity, open incidents and the stores at risk.
struct ConsoleOverview {
    let routes: ConsoleRoutes

    func add(to router: Router<AppRequestContext>) {
        router.get("/") { request, context in
            let console = await ConsoleRequest.make(
                request, context: context, app: routes.app, settings: routes.settings)
            guard let caller = console.caller else {
                return ConsoleSignIn.form(console, next: console.parameter("next"))
            }
            do {
                return ConsolePage.render(
                    console.t("Overview"), try await overview(caller, console), for: console, active: "/")
            } catch {
                return ConsolePage.error(error, for: console, context: context)
            }
        }
    }

    private func overview(_ caller: Caller, _ console: ConsoleRequest) async throws -> HTML {
        let app = console.app
        let t = console.t
        var sections: [HTML] = []
        let stores = try await console.stores()
        if caller.role.readsOrganisation {
            let counts = try await app.terminals.countByState(by: caller)
            let cells = TerminalState.allCases.filter { counts[$0, default: 0] > 0 }.map { state -> HTML in
                "<li><a href=\"/terminals?state=\(state.rawValue)\">\(console.badge(state)) <strong>\(counts[state, default: 0])</strong></a></li>"
            }
            sections.append(
                """
                <section class="card"><h2>\(t("Terminals by state"))</h2>
                \(cells.isEmpty ? HTML("<p class=\"empty\">\(t("No terminals yet."))</p>") : HTML("<ul class=\"tiles\">\(cells)</ul>"))
                </section>
                """)
            let open = try await app.alerts.list(AlertFilter(status: .open), after: nil, limit: 500, by: caller).items
            let critical = open.filter { $0.severity == .critical }.count
            let atRisk = Dictionary(grouping: open, by: \.storeID)
            let riskRows = stores.filter { atRisk[$0.id] != nil }.map { store -> [HTML] in
                let alerts = atRisk[store.id] ?? []
                return [
                    "<a href=\"/stores/\(store.id.uuidString)\">\(store.name)</a>", "\(store.code)",
                    "\(alerts.count)",
                    alerts.contains { $0.severity == .critical } ? console.badge(.critical) : console.badge(.warning),
                ]
            }
            sections.append(
                """
                <section class="card"><h2>\(t("Open alerts"))</h2>
                <ul class="tiles"><li><a href="/alerts?status=open&amp;severity=critical">\(console.badge(.critical)) <strong>\(critical)</strong></a></li>
                <li><a href="/alerts?status=open&amp;severity=warning">\(console.badge(.warning)) <strong>\(open.count - critical)</strong></a></li></ul>
                </section>
                <section class="card"><h2>\(t("Stores at risk"))</h2>
                \(console.table(["Store", "Code", "Open alerts", "Worst"], riskRows, empty: "No store has an open alert."))
                </section>
                """)
        }
        let incidents = try await app.incidents.list(status: .open, after: nil, limit: 20, by: caller).items
        let zones = ConsoleRequest.zones(of: stores)
        // What needs doing: the open tasks of open incidents that fall to the caller's role, soonest due first.
        var tasks: [(IncidentTask, Incident)] = []
        for incident in incidents {
            let details = try await app.incidents.find(incident.id, by: caller)
            tasks += details.tasks.filter { $0.state == .open && $0.ownerRole == caller.role }.map { ($0, incident) }
        }
        let taskRows = tasks.sorted { $0.0.dueAt < $1.0.dueAt }.prefix(20).map { task, incident -> [HTML] in
            [
                "<a href=\"/incidents/\(incident.id.uuidString)#tasks\">\(task.title)</a>",
                console.time(task.dueAt, in: zones[incident.storeID] ?? .gmt),
                task.dueAt < app.runtime.now() ? "<span class=\"badge danger\">\(t("Overdue"))</span>" : "",
            ]
        }
        let incidentRows = incidents.map { incident -> [HTML] in
            [
                "<a href=\"/incidents/\(incident.id.uuidString)\">\(t(ConsoleRequest.words(incident.type.rawValue)))</a>",
                console.time(incident.openedAt, in: zones[incident.storeID] ?? .gmt), "\(incident.terminalIDs.count)",
            ]
        }
        sections.insert(
            """
            <section class="card"><h2>\(t("What needs doing"))</h2>
            \(console.table(["Task", "Due", ""], taskRows, empty: "Nothing is due for your role."))
            </section>
            """, at: 0)
        sections.append(
            """
            <section class="card"><h2>\(t("Open incidents"))</h2>
            \(console.table(["Incident", "Opened", "Terminals"], incidentRows, empty: "No open incident."))
            </section>
            """)
        return "<div class=\"grid\">\(sections)</div>"
    }
}
