import Crypto
import Foundation
import HTTPTypes
import PosGuardDomain
import PosGuardServices
import Testing

@testable import PosGuardWeb

/// The console through the real router: sign-in, language, CSRF, escaping, permissions — as a browser meets them.
@Suite("Console")
struct ConsoleTests {
    static let admin = "admin@harbour.demo"

    @Test func signedOutTheRootIsTheSignInFormInTheBrowsersLanguage() async throws {
        try await APIHarness.run { api in
            let browser = ConsoleBrowser(api)
            let english = try await browser.get("/")
            #expect(english.status == .ok && english.text.contains(#"<html lang="en">"#))
            #expect(english.text.contains(#"<form method="post" action="/sign-in""#))
            browser.acceptLanguage = "zh-CN,zh;q=0.9,en;q=0.5"
            let chinese = try await browser.get("/")
            #expect(chinese.text.contains(#"<html lang="zh-Hans">"#) && chinese.text.contains("<h1>登录</h1>"))
            // The switcher marks each choice with its language.
            #expect(chinese.text.contains(#"lang="en" hreflang="en">English</a>"#))
            let pages = try await browser.get("/terminals")
            #expect(pages.status == .seeOther && pages.location == "/?next=%2Fterminals")
        }
    }

    @Test func signingInSetsAStrictSessionCookieAndEveryPageIsServedUnderAStrictPolicy() async throws {
        try await APIHarness.run { api in
            let browser = ConsoleBrowser(api)
            let signedIn = try await browser.signIn(Self.admin)
            #expect(signedIn.status == .seeOther && signedIn.location == "/")
            let session = try #require(signedIn.setCookies.first { $0.hasPrefix("posguard_session=") })
            #expect(session.contains("HttpOnly") && session.contains("SameSite=Strict") && !session.contains("Secure"))
            let terminal = try #require(
                try await api.all("/api/v1/terminals", token: try await api.token(Self.admin)).first)
            let store = try #require(terminal["store_id"] as? String)
            for path in [
                "/", "/terminals", "/terminals/\(terminal["id"]!)", "/alerts", "/incidents", "/stores",
                "/stores/\(store)",
                "/merchants", "/users", "/webhooks", "/screening", "/account",
            ] {
                let page = try await browser.get(path)
                #expect(page.status == .ok, "\(path): \(page.status)")
                let policy = page.headers[.contentSecurityPolicy] ?? ""
                #expect(policy.contains("script-src 'self'") && policy.contains("style-src 'self'"))
                #expect(!policy.contains("unsafe-inline"))
                // No inline script, style or handler anywhere: the policy would block them.
                #expect(page.text.range(of: #"<script(?![^>]*\bsrc=)"#, options: .regularExpression) == nil, "\(path)")
                #expect(page.text.range(of: #"\s(style|on[a-z]+)=""#, options: .regularExpression) == nil, "\(path)")
            }
        }
    }

    @Test func aFormWithoutItsTokenIsRefusedAndChangesNothing() async throws {
        try await APIHarness.run { api in
            let token = try await api.token(Self.admin)
            let terminal = try #require(
                try await api.all("/api/v1/terminals?state=active", token: token).first?["id"] as? String)
            let browser = ConsoleBrowser(api)
            _ = try await browser.signIn(Self.admin)
            _ = try await browser.get("/terminals/\(terminal)")
            let fields = ["message": "Stop", "confirm": "on"]
            let missing = try await browser.post("/terminals/\(terminal)/lock", fields, csrf: .none)
            let wrong = try await browser.post("/terminals/\(terminal)/lock", fields, csrf: "0123")
            #expect(missing.status == .forbidden && wrong.status == .forbidden)
            let commands = try await api.call(.get, "/api/v1/terminals/\(terminal)/commands", token: token)
            #expect(commands.items.isEmpty, "\(commands.text)")
            // Unconfirmed, a destructive action is refused too.
            _ = try await browser.get("/terminals/\(terminal)")
            let unconfirmed = try await browser.post("/terminals/\(terminal)/lock", ["message": "Stop"])
            #expect(unconfirmed.status == .unprocessableContent)
            _ = try await browser.get("/terminals/\(terminal)")
            let locked = try await browser.post("/terminals/\(terminal)/lock", fields)
            #expect(locked.status == .seeOther && locked.location == "/terminals/\(terminal)")
            let after = try await api.call(.get, "/api/v1/terminals/\(terminal)/commands", token: token)
            #expect(after.items.map { $0["type"] as? String } == ["lock"])
            let page = try await browser.get("/terminals/\(terminal)")
            #expect(page.text.contains("<td>Lock</td>"))
        }
    }

    @Test func aTerminalMovesAlongItsLifecycleFromItsPage() async throws {
        try await APIHarness.run { api in
            let token = try await api.token(Self.admin)
            let terminal = try #require(
                try await api.all("/api/v1/terminals?state=active", token: token).first?["id"] as? String)
            let browser = ConsoleBrowser(api)
            _ = try await browser.signIn(Self.admin)
            let page = try await browser.get("/terminals/\(terminal)")
            #expect(page.text.contains(#"<option value="maintenance">Maintenance</option>"#))
            #expect(!page.text.contains(#"<option value="inventory">"#))
            let illegal = try await browser.post(
                "/terminals/\(terminal)/move", ["to": "inventory", "reason": "back to stock", "confirm": "on"])
            #expect(illegal.status == .conflict)
            _ = try await browser.get("/terminals/\(terminal)")
            let moved = try await browser.post(
                "/terminals/\(terminal)/move", ["to": "maintenance", "reason": "card reader replaced", "confirm": "on"])
            #expect(moved.status == .seeOther)
            let history = try await api.call(.get, "/api/v1/terminals/\(terminal)/history", token: token)
            #expect(
                (history.json as? [[String: Any]] ?? history.items).last?["reason"] as? String == "card reader replaced"
            )
        }
    }

    @Test func timesAreShownInTheStoresOwnTime() async throws {
        try await APIHarness.run { api in
            let token = try await api.token(Self.admin)
            let stores = try await api.all("/api/v1/stores", token: token)
            let shanghai = try #require(
                stores.first { $0["time_zone"] as? String == "Asia/Shanghai" }?["id"] as? String)
            let terminal = try #require(
                try await api.all("/api/v1/terminals?state=active&store_id=\(shanghai)", token: token).first?["id"]
                    as? String)
            _ = try await api.tenant.app.ingest.ingest(
                [
                    .object([
                        "seq": .number(1), "type": .string("tamper"),
                        "at": .string(RFC3339.format(api.tenant.clock.now)), "sensor": .string("lid"),
                    ])
                ], from: try #require(UUID(uuidString: terminal)))
            let alert = try #require(
                try await api.all("/api/v1/alerts?terminal_id=\(terminal)", token: token).first?["id"] as? String)
            let browser = ConsoleBrowser(api)
            _ = try await browser.signIn(Self.admin)
            #expect(try await browser.get("/alerts/\(alert)").text.contains("GMT+8</time>"))
            #expect(try await browser.get("/alerts").text.contains("GMT+8</time>"))
        }
    }

    @Test func merchantsStoresAndTerminalsAreOpenedAndEditedFromTheirPages() async throws {
        try await APIHarness.run { api in
            let token = try await api.token(Self.admin)
            let browser = ConsoleBrowser(api)
            _ = try await browser.signIn(Self.admin)
            _ = try await browser.get("/merchants")
            let merchant = try await browser.post(
                "/merchants", ["name": "Quay Noodles 码头面馆", "security_contact_email": ""])
            #expect(merchant.status == .seeOther)
            let merchantID = try #require(
                try await api.all("/api/v1/merchants", token: token).first {
                    $0["name"] as? String == "Quay Noodles 码头面馆"
                }?[
                    "id"] as? String)
            var store = [
                "merchant_id": merchantID, "code": "QN-01", "name": "Quay Noodles Pier", "address": "1 Pier Rd",
                "city": "Hamburg", "country": "DE", "time_zone": "Mars/Olympus",
                "business_hours.mon": "11:00-15:00, 17:00-22:00",
                "geofence.latitude": "53.5438", "geofence.longitude": "9.9664", "geofence.radius_m": "120",
            ]
            _ = try await browser.get("/stores")
            let badZone = try await browser.post("/stores", store)
            #expect(badZone.status == .unprocessableContent && badZone.text.contains("time_zone"))
            store["time_zone"] = "Europe/Berlin"
            _ = try await browser.get("/stores")
            let opened = try await browser.post("/stores", store)
            let location = try #require(opened.location)
            #expect(opened.status == .seeOther && location.hasPrefix("/stores/"))
            let id = String(location.dropFirst("/stores/".count))
            let created = try await api.call(.get, "/api/v1/stores/\(id)", token: token)
            #expect(created.string("time_zone") == "Europe/Berlin")
            #expect(
                (created.object["business_hours"] as? [String: [String]])?["mon"] == ["11:00-15:00", "17:00-22:00"])
            #expect((created.object["geofence"] as? [String: Any])?["radius_m"] as? Double == 120)
            _ = try await browser.get(location)
            var edit = store
            edit["merchant_id"] = nil
            edit["name"] = "Quay Noodles at the Pier"
            edit["geofence.radius_m"] = "200"
            let edited = try await browser.post("\(location)/edit", edit)
            #expect(edited.status == .seeOther)
            let after = try await api.call(.get, "/api/v1/stores/\(id)", token: token)
            #expect(after.string("name") == "Quay Noodles at the Pier")
            #expect((after.object["geofence"] as? [String: Any])?["radius_m"] as? Double == 200)
            _ = try await browser.get("/terminals")
            let registered = try await browser.post(
                "/terminals",
                [
                    "store_id": id, "make": "PAX", "model": "A920", "serial": "QN-SN-1", "tid": "QN000001",
                    "mid": "QUAYNOODLES0001",
                ])
            let terminal = try #require(registered.location)
            #expect(registered.status == .seeOther && terminal.hasPrefix("/terminals/"))
            let page = try await browser.get(terminal)
            #expect(page.text.contains("QN000001") && page.text.contains("Inventory"))
        }
    }

    @Test func namesAreShownAsWrittenNeverAsMarkup() async throws {
        try await APIHarness.run { api in
            let token = try await api.token(Self.admin)
            let name = #"<script>alert(1)</script> "Jade" & 'Tea' 茶馆"#
            let created = try await api.call(
                .post, "/api/v1/merchants", token: token,
                json: #"{"name":"<script>alert(1)</script> \"Jade\" & 'Tea' 茶馆"}"#)
            #expect(created.status == .created, "\(created.text)")
            let browser = ConsoleBrowser(api)
            _ = try await browser.signIn(Self.admin)
            let page = try await browser.get("/merchants")
            #expect(!page.text.contains(name) && !page.text.contains("<script>alert(1)"))
            #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt; &quot;Jade&quot; &amp; &#39;Tea&#39; 茶馆"))
        }
    }

    @Test func eachRoleSeesAndDoesOnlyWhatTheAPIAllowsIt() async throws {
        try await APIHarness.run { api in
            let admin = try await api.token(Self.admin)
            let terminals = try await api.all("/api/v1/terminals?state=active", token: admin)
            let cashier = "cashier.berlin@kiez-baeckerei.demo"
            let own = try await api.all("/api/v1/terminals", token: try await api.token(cashier))
            let mine = try #require(own.first { $0["state"] as? String == "active" }?["id"] as? String)
            let foreign = try #require(
                terminals.first { t in !own.contains { $0["id"] as? String == t["id"] as? String } }?["id"] as? String)
            let browser = ConsoleBrowser(api)
            _ = try await browser.signIn(cashier)
            let page = try await browser.get("/terminals/\(mine)")
            #expect(page.status == .ok && !page.text.contains("/lock\"") && page.text.contains("/suspected-stolen\""))
            #expect(!page.text.contains(#"href="/users""#) && !page.text.contains(#"href="/webhooks""#))
            // Another merchant's terminal does not exist for this user; the lock the page did not offer is refused.
            #expect(try await browser.get("/terminals/\(foreign)").status == .notFound)
            let lock = try await browser.post("/terminals/\(mine)/lock", ["message": "x", "confirm": "on"])
            #expect(lock.status == .forbidden)
            let moved = try await browser.post(
                "/terminals/\(mine)/suspected-stolen", ["reason": "gone", "confirm": "on"])
            #expect(moved.status == .seeOther)
            let terminal = try await api.call(.get, "/api/v1/terminals/\(mine)", token: admin)
            #expect(terminal.string("state") == "suspected_stolen")
        }
    }

    @Test func anAccountWithAnAuthenticatorSignsInWithItsCode() async throws {
        try await APIHarness.run { api in
            let secret = try await api.enableTOTP(Self.admin, token: try await api.token(Self.admin))
            let browser = ConsoleBrowser(api)
            let asked = try await browser.signIn(Self.admin)
            #expect(asked.status == .unauthorized && asked.text.contains(#"name="totp""#))
            #expect(browser.cookies["posguard_session"] == nil)
            let wrong = try await browser.signIn(Self.admin, totp: "000000")
            #expect(wrong.status == .unauthorized && browser.cookies["posguard_session"] == nil)
            let signedIn = try await browser.signIn(Self.admin, totp: api.code(secret))
            #expect(signedIn.status == .seeOther && browser.cookies["posguard_session"] != nil)
            // Signing out ends the session the cookie held.
            _ = try await browser.get("/")
            let out = try await browser.post("/sign-out", [:])
            #expect(out.status == .seeOther && browser.cookies["posguard_session"] == nil)
        }
    }

    @Test func theLanguageSwitchIsRememberedAndOnlyLeadsBackToThisSite() async throws {
        try await APIHarness.run { api in
            let browser = ConsoleBrowser(api)
            _ = try await browser.signIn(Self.admin)
            let switched = try await browser.get("/language/zh-Hans?back=%2Fterminals")
            #expect(switched.status == .seeOther && switched.location == "/terminals")
            let page = try await browser.get("/terminals")
            #expect(page.text.contains(#"<html lang="zh-Hans">"#) && page.text.contains("<h1>终端</h1>"))
            let away = try await browser.get("/language/en?back=https%3A%2F%2Fevil.example%2F")
            #expect(away.location == "/")
            let twice = try await browser.get("/language/en?back=%2F%2Fevil.example")
            #expect(twice.location == "/")
            // Browsers drop tabs and line breaks and read a backslash as a slash: each of these is another site.
            for sneaky in ["%2F%09%2Fevil.example", "%2F%0A%2Fevil.example", "%2F%5Cevil.example", "%2F%20%2Fevil"] {
                let page = try await browser.get("/language/en?back=\(sneaky)")
                #expect(page.location == "/", "\(sneaky)")
            }
            // The page signing in leads to, likewise.
            _ = try await browser.post("/sign-out", [:])
            _ = try await browser.get("/")
            let signedIn = try await browser.post(
                "/sign-in",
                ["email": Self.admin, "password": api.tenant.login(Self.admin).password, "next": "/\t/evil.example"])
            #expect(signedIn.status == .seeOther && signedIn.location == "/")
        }
    }

    @Test func evidenceIsUploadedThroughThePlainFormAndDownloadedWithItsCustody() async throws {
        try await APIHarness.run { api in
            let token = try await api.token(Self.admin)
            let terminal = try #require(
                try await api.all("/api/v1/terminals?state=active", token: token).first?["id"] as? String)
            let browser = ConsoleBrowser(api)
            _ = try await browser.signIn(Self.admin)
            _ = try await browser.get("/incidents")
            let opened = try await browser.post(
                "/incidents", ["type": "theft", "terminal_ids": terminal, "description": "taken from the counter"])
            let location = try #require(opened.location)
            #expect(opened.status == .seeOther && location.hasPrefix("/incidents/"))
            let page = try await browser.get(location)
            #expect(page.text.contains("enctype=\"multipart/form-data\""))
            // The file's bytes hold what looks like a boundary's start and CRLFs: only the real delimiter ends it.
            let bytes = Array("CCTV still\r\n--not-the-boundary\r\n".utf8) + (0..<70_000).map { UInt8($0 % 251) }
            let refused = try await browser.postMultipart(
                location + "/evidence", [("description", "x")], file: ("still.jpg", "image/jpeg", bytes), csrf: false)
            #expect(refused.status == .forbidden)
            let id = String(location.dropFirst("/incidents/".count))
            #expect(try await api.call(.get, "/api/v1/incidents/\(id)/evidence", token: token).items.isEmpty)
            let uploaded = try await browser.postMultipart(
                location + "/evidence", [("description", "Camera 2, 14:02"), ("collected_by", "Anna")],
                file: ("still.jpg", "image/jpeg", bytes))
            #expect(uploaded.status == .seeOther, "\(uploaded.text)")
            let items = try await api.call(.get, "/api/v1/incidents/\(id)/evidence", token: token).items
            #expect(items.count == 1)
            let item = try #require(items.first)
            #expect(item["size"] as? Int == bytes.count && item["file_name"] as? String == "still.jpg")
            #expect(
                item["description"] as? String == "Camera 2, 14:02" && item["media_type"] as? String == "image/jpeg")
            #expect(item["sha256"] as? String == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
            let download = try await browser.get("\(location)/evidence/\(item["id"]!)")
            #expect(download.status == .ok && download.headers[.eTag] == "\"\(item["sha256"]!)\"")
            #expect(download.headers[.contentLength] == String(bytes.count))
            let custody = try await api.call(
                .get, "/api/v1/incidents/\(id)/evidence/\(item["id"]!)/custody", token: token)
            #expect((custody.json as? [String: Any])?["items"].map { ($0 as? [Any])?.count } == 2)
        }
    }

    @Test func storeSettingsRostersAndWebhooksAreKeptFromTheirPages() async throws {
        try await APIHarness.run(webhookAllow: loopback) { api in
            let token = try await api.token(Self.admin)
            let store = try #require(try await api.all("/api/v1/stores", token: token).first?["id"] as? String)
            let browser = ConsoleBrowser(api)
            _ = try await browser.signIn(Self.admin)
            _ = try await browser.get("/stores/\(store)")
            // A value the API refuses is refused here the same way, and nothing is saved.
            let refused = try await browser.post("/stores/\(store)/detection", ["max_speed_kmh": "-5"])
            #expect(refused.status == .unprocessableContent && refused.text.contains("max_speed_kmh"))
            _ = try await browser.get("/stores/\(store)")
            let saved = try await browser.post(
                "/stores/\(store)/detection", ["refund_limit_minor": "5000", "auto_lock_on_critical": "false"])
            #expect(saved.status == .seeOther)
            let settings = try await api.call(.get, "/api/v1/stores/\(store)/detection-settings", token: token)
            let overrides = settings.object["overrides"] as? [String: Any] ?? [:]
            #expect(
                overrides["refund_limit_minor"] as? Int == 5000 && overrides["auto_lock_on_critical"] as? Bool == false)
            #expect(try await browser.get("/stores/\(store)").text.contains(#"name="refund_limit_minor" value="5000""#))
            // The roster: added, then removed (with its confirmation).
            let added = try await browser.post("/stores/\(store)/roster", ["operator_id": "op-77", "name": "Ming"])
            #expect(added.status == .seeOther)
            #expect(try await browser.get("/stores/\(store)").text.contains("<td>op-77</td>"))
            let removed = try await browser.post(
                "/stores/\(store)/roster/remove", ["operator_id": "op-77", "confirm": "on"])
            #expect(removed.status == .seeOther)
            #expect(!(try await browser.get("/stores/\(store)").text.contains("<td>op-77</td>")))
            // A webhook: subscribed (its secret shown once), then deleted.
            _ = try await browser.get("/webhooks")
            let hook = try await browser.post(
                "/webhooks", ["url": "http://127.0.0.1:9/console", "minimum_severity": "critical"])
            #expect(hook.status == .ok && hook.text.contains(#"class="secret""#))
            let hooks = try await api.call(.get, "/api/v1/webhooks", token: token).items
            let id = try #require(
                hooks.first { $0["url"] as? String == "http://127.0.0.1:9/console" }?["id"] as? String)
            _ = try await browser.get("/webhooks/\(id)")
            let deleted = try await browser.post("/webhooks/\(id)/delete", ["confirm": "on"])
            #expect(deleted.status == .seeOther)
            #expect(
                !(try await api.call(.get, "/api/v1/webhooks", token: token).items.contains {
                    $0["id"] as? String == id
                }))
        }
    }

    @Test func htmlEscapesEveryInterpolatedString() {
        let name = #"<b onclick="x">'&'</b>"#
        let html: HTML = "<p title=\"\(name)\">\(name)</p>"
        #expect(
            html.description
                == "<p title=\"&lt;b onclick=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;\">&lt;b onclick=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/b&gt;</p>"
        )
        let inner: HTML = "<em>\(name)</em>"
        #expect(HTML("<p>\(inner)</p>").description.hasPrefix("<p><em>&lt;b"))
    }

    @Test func theLanguageFollowsTheSwitchThenTheUserThenTheBrowser() {
        #expect(ConsoleLanguage.negotiate(cookie: nil, user: nil, acceptLanguage: nil).locale == .en)
        #expect(
            ConsoleLanguage.negotiate(cookie: nil, user: nil, acceptLanguage: "de-DE, zh-Hans;q=0.8").locale == .zhHans)
        #expect(ConsoleLanguage.negotiate(cookie: nil, user: nil, acceptLanguage: "zh-TW, en;q=0.5").locale == .en)
        #expect(ConsoleLanguage.negotiate(cookie: nil, user: .zhHans, acceptLanguage: "en").locale == .zhHans)
        #expect(ConsoleLanguage.negotiate(cookie: "en", user: .zhHans, acceptLanguage: "zh").locale == .en)
        #expect(ConsoleLanguage.negotiate(cookie: "fr", user: nil, acceptLanguage: "zh").locale == .zhHans)
    }

    @Test func everyWordThePagesUseHasItsChineseForm() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/PosGuardWeb/Console")
        var missing: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(atPath: sources.path) where file.hasSuffix(".swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for pattern in [
                #"\bt\("([^"\\]+)"\)"#, #"empty: "([^"\\]+)""#, #"label: "([^"\\]+)""#, #"button\("([^"\\]+)""#,
            ] {
                let regex = try NSRegularExpression(pattern: pattern)
                for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let word = String(text[Range(match.range(at: 1), in: text)!])
                    if ConsoleText.zhHans[word] == nil { missing.insert(word) }
                }
            }
        }
        #expect(missing.isEmpty, "no Chinese for: \(missing.sorted())")
        for state in TerminalState.allCases {
            #expect(ConsoleText.zhHans[ConsoleRequest.words(state.rawValue)] != nil, "\(state)")
        }
        for rule in RuleID.allCases {
            #expect(ConsoleText.zhHans[ConsoleRequest.words(rule.rawValue)] != nil, "\(rule)")
        }
    }

    @Test func theTrackIsDrawnToScaleAroundTheStore() {
        let fence = Geofence(latitude: 52.5, longitude: 13.4, radiusM: 100)
        let north = TrackPlot.Fix(latitude: 52.5 + 1000 / 111_320, longitude: 13.4, accuracyM: 10)
        let plot = TrackPlot(geofence: fence, fixes: [north])
        let (east, up) = plot.offset(north)
        #expect(abs(east) < 0.001 && abs(up - 1000) < 0.5)
        #expect(plot.reach >= 1000 && plot.reach <= 1200)
        let svg = plot.svg(title: "<t>", inside: "in", outside: "out").description
        #expect(svg.contains("<title id=\"track-title\">&lt;t&gt;</title>") && svg.contains("class=\"fix out last\""))
        #expect(TrackPlot(geofence: fence, fixes: []).reach == 150)
    }

    @Test func aNewAlertsStreamStartsAfterEveryAlertAlreadyRaised() {
        let now = Date(timeIntervalSince1970: 1_790_000_000.123)
        let floor = ConsoleAlerts.floor(at: now).uuidString.lowercased()
        let generator = IDGenerator(now: { now })
        let ids = (0..<50).map { _ in generator.next() }
        #expect(ids.allSatisfy { $0.uuidString.lowercased() > floor })
        let earlier = ConsoleAlerts.floor(at: now.addingTimeInterval(-0.002)).uuidString.lowercased()
        #expect(earlier < floor)
    }
}
