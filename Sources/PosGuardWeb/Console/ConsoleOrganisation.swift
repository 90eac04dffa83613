import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// The organisation: merchants, stores (hours, zone, geofence, detection settings in force, roster), users and
/// roles, and webhooks with their delivery log.
struct ConsoleOrganisation {
    let routes: ConsoleRoutes

    func add(to router: Router<AppRequestContext>) {
        routes.page("/merchants", on: router) { _, console in try await merchants(console) }
        routes.page("/stores", on: router) { _, console in try await stores(console) }
        routes.page("/stores/{id}", on: router) { _, console in try await store(try console.id("store"), console)
        }
        routes.page("/users", on: router) { _, console in try await users(console) }
        routes.action("/users", on: router) { form, _, console in
            let role = form["role"].flatMap(Role.init(rawValue:)) ?? .storeOperator
            _ = try await console.app.users.create(
                .init(
                    email: form["email"] ?? "", name: form["name"] ?? "", role: role,
                    password: form.fields["password"] ?? "",
                    locale: form["locale"].flatMap(User.Locale.init(rawValue:)),
                    merchantID: form["merchant_id"].flatMap(UUID.init(uuidString:)),
                    storeID: form["store_id"].flatMap(UUID.init(uuidString:))),
                by: try console.signedIn())
            return ConsolePage.redirect("/users")
        }
        routes.action("/stores/{id}/detection", on: router) { form, _, console in
            let id = try console.id("store")
            let booleans: Set = ["auto_lock_on_critical", "decline_outside_hours"]
            let overrides = try Request.decodeJSON(
                DetectionOverrides.self,
                from: try form.json(
                    Self.settingKeys,
                    numbers: Set(Self.settingKeys).subtracting(
                        booleans.union(["allowed_iccids", "connectivity_loss_severity"])),
                    booleans: booleans, lists: ["allowed_iccids"]))
            _ = try await console.app.detection.setSettings(.store, id, overrides, by: try console.signedIn())
            return ConsolePage.redirect("/stores/\(id.uuidString)#detection")
        }
        routes.action("/stores/{id}/roster", on: router) { form, _, console in
            let id = try console.id("store")
            try await console.app.detection.putOperator(
                form["operator_id"] ?? "", .init(name: form["name"] ?? ""), store: id, by: try console.signedIn())
            return ConsolePage.redirect("/stores/\(id.uuidString)#roster")
        }
        routes.action("/stores/{id}/roster/remove", on: router) { form, _, console in
            let id = try console.id("store")
            try form.confirmed()
            try await console.app.detection.removeOperator(
                form["operator_id"] ?? "", store: id, by: try console.signedIn())
            return ConsolePage.redirect("/stores/\(id.uuidString)#roster")
        }
        routes.page("/webhooks", on: router) { _, console in try await webhooks(console) }
        routes.action("/webhooks", on: router) { form, _, console in
            let created = try await console.app.webhooks.create(
                .init(
                    url: form["url"] ?? "",
                    minimumSeverity: form["minimum_severity"].flatMap(AlertSeverity.init(rawValue:)),
                    merchantID: form["merchant_id"].flatMap(UUID.init(uuidString:))),
                by: try console.signedIn())
            let t = console.t
            let content: HTML = """
                <div class="card narrow">
                <p>\(t("The webhook is subscribed. Its signing secret is shown only now: keep it where your receiver checks signatures."))</p>
                <p><code class="secret">\(created.secret)</code></p>
                <p><a href="/webhooks/\(created.webhook.id.uuidString)">\(created.webhook.url)</a></p>
                </div>
                """
            return ConsolePage.render(t("Webhooks"), content, for: console, active: "/webhooks")
        }
        routes.action("/webhooks/{id}/test", on: router) { _, _, console in
            let id = try console.id("webhook")
            _ = try await console.app.webhooks.test(id, by: try console.signedIn())
            return ConsolePage.redirect("/webhooks/\(id.uuidString)")
        }
        routes.action("/webhooks/{id}/delete", on: router) { form, _, console in
            let id = try console.id("webhook")
            try form.confirmed()
            try await console.app.webhooks.delete(id, by: try console.signedIn())
            return ConsolePage.redirect("/webhooks")
        }
        routes.page("/webhooks/{id}", on: router) { _, console in
            try await deliveries(try console.id("webhook"), console)
        }
    }

    private func merchants(_ console: ConsoleRequest) async throws -> Response {
        let caller = try console.signedIn()
        let page = try await console.app.merchants.list(
            after: console.parameter("cursor").flatMap(Cursor.init(token:)), limit: 50, by: caller)
        let rows = page.items.map { merchant -> [HTML] in
            [
                "<a href=\"/stores?merchant_id=\(merchant.id.uuidString)\">\(merchant.name)</a>",
                "\(merchant.securityContactEmail ?? "—")", console.time(merchant.createdAt),
            ]
        }
        let t = console.t
        let form: HTML =
            caller.may(.createMerchant)
            ? """
            <section class="card"><h2>\(t("Add a merchant"))</h2>
            <form method="post" action="/merchants" class="stack">\(console.csrfField)
            <label for="merchant-name">\(t("Name"))</label><input id="merchant-name" name="name" required maxlength="200">
            <label for="merchant-contact">\(t("Security contact"))</label>
            <input id="merchant-contact" name="security_contact_email" type="email">
            <button type="submit">\(t("Add"))</button></form></section>
            """ : ""
        let content: HTML = """
            \(console.table(["Merchant", "Security contact", "Since"], rows, empty: "No merchants."))
            \(console.nextLink(page, path: "/merchants"))
            \(form)
            """
        return ConsolePage.render(console.t("Merchants"), content, for: console, active: "/merchants")
    }

    private func stores(_ console: ConsoleRequest) async throws -> Response {
        let caller = try console.signedIn()
        let page = try await console.app.stores.list(
            merchant: console.parameter("merchant_id").flatMap(UUID.init(uuidString:)),
            after: console.parameter("cursor").flatMap(Cursor.init(token:)), limit: 50, by: caller)
        let rows = page.items.map { store -> [HTML] in
            [
                "<a href=\"/stores/\(store.id.uuidString)\">\(store.name)</a>", "\(store.code)",
                "\(store.city), \(store.country)", "\(store.timeZone)",
            ]
        }
        let t = console.t
        var form: HTML = ""
        if caller.may(.openStore) {
            let merchants = try await console.app.merchants.list(after: nil, limit: 500, by: caller).items
            form = """
                <section class="card"><h2>\(t("Open a store"))</h2>
                <form method="post" action="/stores" class="stack">\(console.csrfField)
                \(ConsoleOrganisationForms.storeFields(nil, merchants: merchants, console))
                <button type="submit">\(t("Open the store"))</button></form></section>
                """
        }
        let content: HTML = """
            \(console.table(["Store", "Code", "Place", "Time zone"], rows, empty: "No stores."))
            \(console.nextLink(page, path: "/stores"))
            \(form)
            """
        return ConsolePage.render(console.t("Stores"), content, for: console, active: "/stores")
    }

    private func store(_ id: UUID, _ console: ConsoleRequest) async throws -> Response {
        let caller = try console.signedIn()
        let app = console.app
        let t = console.t
        let store = try await app.stores.find(id, by: caller)
        let settings = try await app.detection.settings(.store, id, by: caller)
        let roster = try await app.detection.roster(of: id, by: caller)
        let terminals = try await app.terminals.list(TerminalFilter(storeID: id), after: nil, limit: 100, by: caller)
        let hours = BusinessHours.Weekday.allCases.map { day -> HTML in
            "<dt>\(t(ConsoleRequest.words(day.rawValue)))</dt><dd>\((store.businessHours.textual[day.rawValue] ?? []).joined(separator: ", ").nonEmpty ?? t("Closed"))</dd>"
        }
        let effective = Self.values(settings.effective)
        let overrides = Self.values(settings.overrides)
        let tunes = caller.may(.tuneDetection)
        let settingRows = Self.settingKeys.map { key -> [HTML] in
            let own = overrides[key].map { $0 == "—" ? "" : $0 }
            let raw = own.map { $0 == "Yes" ? "true" : $0 == "No" ? "false" : $0 } ?? ""
            return [
                "<label for=\"setting-\(key)\">\(t(ConsoleRequest.words(key)))</label>", "\(t(effective[key] ?? ""))",
                tunes
                    ? "<input id=\"setting-\(key)\" name=\"\(key)\" value=\"\(raw)\" placeholder=\"\(t("as for the merchant"))\">"
                    : own == nil ? "" : "\(t("set for this store"))",
            ]
        }
        let settingsTable = console.table(
            ["Setting", "In force", "For this store"], settingRows, empty: "No settings.")
        let settingsSection: HTML =
            tunes
            ? """
            <form method="post" action="/stores/\(id.uuidString)/detection">\(console.csrfField)\(settingsTable)
            <p class="hint">\(t("Leave a field empty to follow the merchant's setting. Yes and no are written true and false."))</p>
            <button type="submit">\(t("Save settings"))</button></form>
            """ : settingsTable
        let terminalRows = terminals.items.map { terminal -> [HTML] in
            [
                "<a href=\"/terminals/\(terminal.id.uuidString)\">\(terminal.tid)</a>", "\(terminal.serial)",
                console.badge(terminal.state),
            ]
        }
        let keeps = caller.may(.keepRoster)
        let rosterRows = roster.map { member -> [HTML] in
            [
                "\(member.operatorID)", "\(member.name)", console.time(member.addedAt, in: store.zone),
                keeps
                    ? console.button(
                        "Remove", action: "/stores/\(id.uuidString)/roster/remove",
                        fields: ["operator_id": member.operatorID], danger: true) : "",
            ]
        }
        let rosterForm: HTML =
            keeps
            ? """
            <form method="post" action="/stores/\(id.uuidString)/roster" class="stack">\(console.csrfField)
            <label for="operator-id">\(t("Operator id (as the terminal reports it)"))</label>
            <input id="operator-id" name="operator_id" required maxlength="64">
            <label for="operator-name">\(t("Name"))</label><input id="operator-name" name="name" required maxlength="200">
            <button type="submit">\(t("Add to the roster"))</button></form>
            """ : ""
        let plot = TrackPlot(geofence: store.geofence, fixes: [])
        let content: HTML = """
            <div class="grid">
            <section class="card"><h2>\(t("Store"))</h2><dl class="facts">
            <dt>\(t("Code"))</dt><dd>\(store.code)</dd><dt>\(t("Address"))</dt><dd>\(store.address), \(store.city), \(store.country)</dd>
            <dt>\(t("Time zone"))</dt><dd>\(store.timeZone)</dd>
            <dt>\(t("Geofence"))</dt><dd>\(String(format: "%.5f, %.5f", store.geofence.latitude, store.geofence.longitude)) · \(Int(store.geofence.radiusM)) m</dd>
            </dl><h3>\(t("Business hours"))</h3><dl class="facts">\(hours)</dl></section>
            <section class="card"><h2>\(t("Geofence"))</h2>\(plot.svg(title: t("The store's geofence"), inside: "", outside: ""))</section>
            </div>
            <section><h2>\(t("Terminals"))</h2>\(console.table(["TID", "Serial", "State"], terminalRows, empty: "No terminals."))</section>
            <section id="detection"><h2>\(t("Detection settings in force"))</h2>\(settingsSection)</section>
            \(caller.may(.editStore) ? HTML("""
            <section class="card" id="edit"><h2>\(t("Edit the store"))</h2>
            <form method="post" action="/stores/\(id.uuidString)/edit" class="stack">\(console.csrfField)
            \(ConsoleOrganisationForms.storeFields(store, merchants: [], console))
            <button type="submit">\(t("Save the store"))</button></form></section>
            """) : "")
            <section id="roster"><h2>\(t("Roster"))</h2>\(console.table(["Operator", "Name", "Added", ""], rosterRows, empty: "No operators on the roster."))
            \(rosterForm)</section>
            """
        return ConsolePage.render(store.name, content, for: console, active: "/stores")
    }

    /// The store-level detection settings, by their API names, in the order the page shows them.
    static let settingKeys = [
        "geofence_consecutive_fixes", "max_speed_kmh", "offline_after_minutes", "missing_after_hours",
        "failed_login_burst", "failed_login_window_minutes", "refund_burst_count", "refund_burst_window_minutes",
        "refund_limit_minor", "store_refund_burst_count", "operator_refund_limit_minor", "allowed_iccids",
        "event_gap_after_minutes", "clock_skew_minutes", "implausible_accuracy_factor", "far_fix_radius_multiple",
        "silent_off_premises_minutes", "spoofing_accuracy_multiple", "network_blackout_minutes",
        "connectivity_loss_severity", "auto_lock_on_critical", "decline_outside_hours",
    ]

    /// A settings value's fields as text, by their API names; fields without a value are left out.
    static func values(_ value: Any) -> [String: String] {
        var values: [String: String] = [:]
        for child in Mirror(reflecting: value).children {
            guard let label = child.label, let text = text(child.value) else { continue }
            // camelCase to snake_case, an acronym kept whole: allowedICCIDs → allowed_iccids.
            var name = ""
            var previous: Character?
            for character in label {
                if character.isUppercase, previous?.isLowercase == true { name += "_" }
                name += character.lowercased()
                previous = character
            }
            values[name] = text
        }
        return values
    }

    private static func text(_ value: Any) -> String? {
        let mirror = Mirror(reflecting: value)
        if mirror.displayStyle == .optional {
            guard let wrapped = mirror.children.first?.value else { return nil }
            return text(wrapped)
        }
        switch value {
        case let list as [String]: return list.isEmpty ? "—" : list.joined(separator: ", ")
        case let flag as Bool: return flag ? "Yes" : "No"
        case let number as Double: return number == number.rounded() ? String(Int64(number)) : String(number)
        default: return "\(value)"
        }
    }

    private func users(_ console: ConsoleRequest) async throws -> Response {
        let caller = try console.signedIn()
        let t = console.t
        let page = try await console.app.users.list(
            after: console.parameter("cursor").flatMap(Cursor.init(token:)), limit: 50, by: caller)
        let rows = page.items.map { user -> [HTML] in
            [
                "\(user.name)", "\(user.email)", "\(t(ConsoleRequest.words(user.role.rawValue)))",
                user.totpEnabled ? "\(t("Yes"))" : "\(t("No"))", user.disabled ? "\(t("Disabled"))" : "\(t("Active"))",
            ]
        }
        var content: HTML = """
            \(console.table(["Name", "Email", "Role", "Authenticator", "Account"], rows, empty: "No users."))
            \(console.nextLink(page, path: "/users"))
            """
        let grantable = Role.allCases.filter { caller.may(.createUser($0)) }
        if !grantable.isEmpty {
            let options = grantable.map { role -> HTML in
                "<option value=\"\(role.rawValue)\">\(t(ConsoleRequest.words(role.rawValue)))</option>"
            }
            content = """
                \(content)
                <section class="card"><h2>\(t("Add a user"))</h2>
                <form method="post" action="/users" class="stack">\(console.csrfField)
                <label for="new-name">\(t("Name"))</label><input id="new-name" name="name" required maxlength="200">
                <label for="new-email">\(t("Email"))</label><input id="new-email" name="email" type="email" required>
                <label for="new-role">\(t("Role"))</label><select id="new-role" name="role">\(options)</select>
                <label for="new-merchant">\(t("Merchant id (merchant and store roles)"))</label><input id="new-merchant" name="merchant_id">
                <label for="new-store">\(t("Store id (store roles)"))</label><input id="new-store" name="store_id">
                <label for="new-password">\(t("First password"))</label><input id="new-password" name="password" type="password" autocomplete="new-password" required minlength="12">
                <button type="submit">\(t("Add"))</button>
                </form></section>
                """
        }
        return ConsolePage.render(t("Users"), content, for: console, active: "/users")
    }

    private func webhooks(_ console: ConsoleRequest) async throws -> Response {
        let hooks = try await console.app.webhooks.list(by: try console.signedIn())
        let rows = hooks.map { hook -> [HTML] in
            [
                "<a href=\"/webhooks/\(hook.id.uuidString)\">\(hook.url)</a>", console.badge(hook.minimumSeverity),
                console.time(hook.createdAt),
            ]
        }
        let t = console.t
        let content: HTML = """
            \(console.table(["Address", "From severity", "Since"], rows, empty: "No webhooks."))
            <section class="card"><h2>\(t("Subscribe a webhook"))</h2>
            <form method="post" action="/webhooks" class="stack">\(console.csrfField)
            <label for="hook-url">\(t("Address (https://…)"))</label><input id="hook-url" name="url" type="url" required maxlength="2000">
            \(console.select("minimum_severity", label: "From severity", AlertSeverity.self, chosen: AlertSeverity.warning.rawValue, any: false))
            <label for="hook-merchant">\(t("Merchant id (a provider admin subscribing for one merchant)"))</label>
            <input id="hook-merchant" name="merchant_id">
            <button type="submit">\(t("Subscribe"))</button></form></section>
            """
        return ConsolePage.render(t("Webhooks"), content, for: console, active: "/webhooks")
    }

    private func deliveries(_ id: UUID, _ console: ConsoleRequest) async throws -> Response {
        let page = try await console.app.webhooks.deliveries(
            of: id, after: console.parameter("cursor").flatMap(Cursor.init(token:)), limit: 50,
            by: try console.signedIn())
        let t = console.t
        let rows = page.items.map { delivery -> [HTML] in
            [
                "\(delivery.eventType)", "\(t(ConsoleRequest.words(delivery.status.rawValue)))", "\(delivery.attempts)",
                "\(delivery.lastStatusCode.map(String.init) ?? "—")", "\(delivery.lastError ?? "")",
                console.time(delivery.createdAt),
            ]
        }
        let content: HTML = """
            <p>\(console.button("Send a test delivery", action: "/webhooks/\(id.uuidString)/test")) \
            \(console.button("Delete the webhook", action: "/webhooks/\(id.uuidString)/delete", danger: true))</p>
            \(console.table(["Event", "Status", "Attempts", "Last answer", "Error", "Created"], rows, empty: "No deliveries yet."))
            \(console.nextLink(page, path: "/webhooks/\(id.uuidString)"))
            """
        return ConsolePage.render(t("Webhook deliveries"), content, for: console, active: "/webhooks")
    }
}

extension String {
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
