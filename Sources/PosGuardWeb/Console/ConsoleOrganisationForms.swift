import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// Opening and editing the organisation from the console: merchants, stores (hours, zone, geofence) and terminals,
/// each form read as the API reads the same change.
struct ConsoleOrganisationForms {
    let routes: ConsoleRoutes

    static let storeKeys =
        ["merchant_id", "code", "name", "address", "city", "country", "time_zone"]
        + BusinessHours.Weekday.allCases.map { "business_hours.\($0.rawValue)" }
        + ["geofence.latitude", "geofence.longitude", "geofence.radius_m"]
    static let storeNumbers: Set = ["geofence.latitude", "geofence.longitude", "geofence.radius_m"]
    static let storeLists = Set(BusinessHours.Weekday.allCases.map { "business_hours.\($0.rawValue)" })

    func add(to router: Router<AppRequestContext>) {
        routes.action("/merchants", on: router) { form, _, console in
            let draft = try Request.decodeJSON(
                MerchantDirectory.Draft.self, from: try form.json(["name", "security_contact_email"]))
            _ = try await console.app.merchants.create(draft, by: try console.signedIn())
            return ConsolePage.redirect("/merchants")
        }
        routes.action("/stores", on: router) { form, _, console in
            let draft = try Request.decodeJSON(
                StoreDirectory.Draft.self,
                from: try form.json(Self.storeKeys, numbers: Self.storeNumbers, lists: Self.storeLists))
            let store = try await console.app.stores.create(draft, by: try console.signedIn())
            return ConsolePage.redirect("/stores/\(store.id.uuidString)")
        }
        routes.action("/stores/{id}/edit", on: router) { form, _, console in
            let id = try console.id("store")
            let patch = try Request.decodeJSON(
                StoreDirectory.Patch.self,
                from: try form.json(
                    Self.storeKeys.filter { $0 != "merchant_id" }, numbers: Self.storeNumbers, lists: Self.storeLists))
            _ = try await console.app.stores.update(id, patch, by: try console.signedIn())
            return ConsolePage.redirect("/stores/\(id.uuidString)")
        }
        routes.action("/terminals", on: router) { form, _, console in
            let registration = try Request.decodeJSON(
                TerminalRegistry.Registration.self,
                from: try form.json(["store_id", "make", "model", "serial", "tid", "mid", "iccid"]))
            let terminal = try await console.app.terminals.register(registration, by: try console.signedIn())
            return ConsolePage.redirect("/terminals/\(terminal.id.uuidString)")
        }
    }

    /// The fields of a store, filled with `store`'s values when editing one.
    static func storeFields(_ store: Store?, merchants: [Merchant], _ console: ConsoleRequest) -> HTML {
        let t = console.t
        func field(_ key: String, _ label: String, _ value: String?, required: Bool = true) -> HTML {
            let id = "store-" + key.replacingOccurrences(of: ".", with: "-")
            return """
                <label for="\(id)">\(t(label))</label>\
                <input id="\(id)" name="\(key)" value="\(value ?? "")" maxlength="200"\(required ? HTML(" required") : "")>
                """
        }
        var parts: [HTML] = []
        if store == nil {
            let options = merchants.map { merchant -> HTML in
                "<option value=\"\(merchant.id.uuidString)\">\(merchant.name)</option>"
            }
            parts.append(
                "<label for=\"store-merchant\">\(t("Merchant"))</label><select id=\"store-merchant\" name=\"merchant_id\">\(options)</select>"
            )
        }
        parts += [
            field("code", "Code", store?.code), field("name", "Name", store?.name),
            field("address", "Address", store?.address), field("city", "City", store?.city),
            field("country", "Country (two letters)", store?.country),
            field("time_zone", "Time zone (e.g. Europe/Berlin)", store?.timeZone),
        ]
        for day in BusinessHours.Weekday.allCases {
            let hours = store?.businessHours.textual[day.rawValue]?.joined(separator: ", ") ?? "09:00-18:00"
            parts.append(
                field(
                    "business_hours.\(day.rawValue)", "\(t(ConsoleRequest.words(day.rawValue))) (09:00-18:00, …)",
                    hours,
                    required: false))
        }
        parts += [
            field("geofence.latitude", "Latitude", store.map { String($0.geofence.latitude) }),
            field("geofence.longitude", "Longitude", store.map { String($0.geofence.longitude) }),
            field("geofence.radius_m", "Geofence radius (m)", store.map { String(Int($0.geofence.radiusM)) } ?? "150"),
        ]
        return HTML.join(parts)
    }
}
