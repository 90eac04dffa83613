import Foundation
import PosGuardDomain
import PosGuardServices

/// Pieces many console pages share: badges, tables, links to the next page, selects, confirmations.
extension ConsoleRequest {
    /// A terminal state, labelled in words and colour (the words carry the meaning; colour only repeats it).
    func badge(_ state: TerminalState) -> HTML {
        let tone: String
        switch state {
        case .active: tone = "ok"
        case .locked, .suspectedStolen, .stolen: tone = "danger"
        case .recovered, .maintenance: tone = "warn"
        case .inventory, .retired: tone = "muted"
        }
        return "<span class=\"badge \(tone)\">\(t(Self.words(state.rawValue)))</span>"
    }

    func badge(_ severity: AlertSeverity) -> HTML {
        "<span class=\"badge \(severity == .critical ? "danger" : "warn")\">\(t(Self.words(severity.rawValue)))</span>"
    }

    func badge(_ status: AlertStatus) -> HTML {
        "<span class=\"badge \(status == .open ? "danger" : status == .acknowledged ? "warn" : "muted")\">\(t(Self.words(status.rawValue)))</span>"
    }

    /// `suspected_stolen` → `Suspected stolen`: the English words, which are also the key of their translation.
    static func words(_ raw: String) -> String {
        let spaced = raw.replacingOccurrences(of: "_", with: " ")
        return spaced.prefix(1).uppercased() + spaced.dropFirst()
    }

    /// A table with a header row; an empty one says so.
    func table(_ headers: [String], _ rows: [[HTML]], empty: String) -> HTML {
        guard !rows.isEmpty else { return "<p class=\"empty\">\(t(empty))</p>" }
        let head = headers.map { header -> HTML in "<th scope=\"col\">\(t(header))</th>" }
        let body = rows.map { cells -> HTML in "<tr>\(cells.map { cell -> HTML in "<td>\(cell)</td>" })</tr>" }
        return "<div class=\"scroll\"><table><thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table></div>"
    }

    /// The link to the next page of a listing, keeping the query's filters.
    func nextLink<Item>(_ page: Page<Item>, path: String) -> HTML {
        guard let next = page.next else { return "" }
        var query = self.query
        query["cursor"] = next.token
        let text = query.sorted { $0.key < $1.key }.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        }.joined(separator: "&")
        return "<p class=\"pager\"><a href=\"\(path)?\(text)\" rel=\"next\">\(t("Next page"))</a></p>"
    }

    /// A select of an enumeration's values, the current one chosen; `any` adds a choice of none.
    func select<E: RawRepresentable & CaseIterable>(
        _ name: String, label: String, _ type: E.Type, chosen: String?, any: Bool
    )
        -> HTML where E.RawValue == String
    {
        var options: [HTML] = any ? ["<option value=\"\">\(t("Any"))</option>"] : []
        for value in E.allCases {
            let raw = value.rawValue
            options.append(
                raw == chosen
                    ? "<option value=\"\(raw)\" selected>\(t(Self.words(raw)))</option>"
                    : "<option value=\"\(raw)\">\(t(Self.words(raw)))</option>")
        }
        return "<label for=\"\(name)\">\(t(label))</label><select id=\"\(name)\" name=\"\(name)\">\(options)</select>"
    }

    /// The confirmation a destructive form carries: the browser will not send the form unticked, and the action
    /// refuses it unticked too (`ConsoleForm.confirmed`).
    var confirmBox: HTML {
        "<label class=\"confirm\"><input type=\"checkbox\" name=\"confirm\" required> \(t("I am sure"))</label>"
    }

    /// A form posting to `action` with one button; a destructive one also asks to tick a confirmation, which
    /// the browser requires before sending and the action checks (`confirmed`).
    func button(_ label: String, action: String, fields: [String: String] = [:], danger: Bool = false) -> HTML {
        let hidden = fields.sorted { $0.key < $1.key }.map { name, value -> HTML in
            "<input type=\"hidden\" name=\"\(name)\" value=\"\(value)\">"
        }
        let confirm: HTML = danger ? confirmBox : ""
        return """
            <form method="post" action="\(action)" class="inline">\(csrfField)\(hidden)\(confirm)\
            <button type="submit"\(danger ? HTML(" class=\"danger\"") : "")>\(t(label))</button></form>
            """
    }

    /// The stores in the caller's reach; none for a role that reads no stores.
    func stores() async throws -> [Store] {
        guard let caller, caller.role.readsOrganisation else { return [] }
        return try await app.stores.list(merchant: nil, after: nil, limit: 500, by: caller).items
    }

    /// The time zones of the stores in the caller's reach, for times shown in the store's own time (none for a
    /// role that reads no stores: their times are shown in UTC).
    func storeZones() async -> [UUID: TimeZone] { Self.zones(of: (try? await stores()) ?? []) }

    static func zones(of stores: [Store]) -> [UUID: TimeZone] {
        Dictionary(uniqueKeysWithValues: stores.map { ($0.id, $0.zone) })
    }

    func time(_ date: Date?, in zone: TimeZone = .gmt) -> HTML {
        guard let date else { return "—" }
        return "<time datetime=\"\(RFC3339.format(date))\">\(language.dateTime(date, in: zone))</time>"
    }
}
