import Foundation
import HTTPTypes
import PosGuardDomain
import PosGuardTestSupport
import Testing

@Suite("Detection over the API")
struct DetectionAPITests {
    @Test func refundsSplitOverTwoTerminalsOfAStoreStillHitTheStoresLimit() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let stores = try await api.all("/api/v1/stores", token: admin)
            let berlin = try #require(stores.first { $0["code"] as? String == "KB-BER-01" }?["id"] as? String)
            let active = try await api.all("/api/v1/terminals?store_id=\(berlin)&state=active", token: admin)
            #expect(active.count >= 2)
            let till1 = try await Device.enroll(active[0], api: api, adminToken: admin)
            let till2 = try await Device.enroll(active[1], api: api, adminToken: admin)
            func refund(_ amount: Int) -> String {
                #""kind":"refund","amount_minor":\#(amount),"currency":"EUR","approved":true"#
            }
            // 60,000 + 60,000 cents of refunds: under the store's 100,000 limit on each till, over it together.
            #expect(try await till1.send([(1, "transaction", refund(30_000))]).status == .ok)
            #expect(try await till2.send([(1, "transaction", refund(30_000))]).status == .ok)
            #expect(try await till1.send([(2, "transaction", refund(30_000))]).status == .ok)
            let over = try await till2.send([(2, "transaction", refund(30_000))])
            #expect(
                (over.object["commands"] as? [[String: Any]])?.map { $0["type"] as? String } == ["lock"],
                "a critical alert locks the till that crossed the limit")

            let manager = try await api.token("manager.berlin@kiez-baeckerei.demo")
            let alerts = try await api.call(.get, "/api/v1/alerts?rule=refund_limit", token: manager).items
            #expect(alerts.count == 1)
            let alert = try #require(alerts.first)
            #expect((alert["terminal_id"] as? String)?.lowercased() == till2.terminalID.uuidString.lowercased())
            #expect(alert["severity"] as? String == "critical" && alert["evidence"] as? [Int] == [1, 2])
            #expect(
                (alert["message"] as? String)?.contains(
                    "120000 EUR (minor units) at this store in 24 hours, on 2 terminals")
                    == true)
        }
    }

    @Test func tamperRaisesACriticalAlertAndContainsTheTerminal() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let device = try await Device.enroll(
                try await AgentAPITests.berlinTerminal(api, admin), api: api, adminToken: admin)
            let ack = try await device.send([(1, "tamper", #""sensor":"case_open""#)])
            let commands = ack.object["commands"] as? [[String: Any]] ?? []
            #expect(commands.map { $0["type"] as? String } == ["lock"], "the lock rides on the same answer")

            let alerts = try await api.call(.get, "/api/v1/alerts?terminal_id=\(device.terminalID)", token: admin)
            let alert = try #require(alerts.items.first)
            #expect(alert["rule"] as? String == "tamper" && alert["severity"] as? String == "critical")
            #expect(alert["evidence"] as? [Int] == [1] && alert["status"] as? String == "open")
            let terminal = try await api.call(.get, "/api/v1/terminals/\(device.terminalID)", token: admin)
            #expect(terminal.string("state") == "suspected_stolen")
            let history = try await api.call(.get, "/api/v1/terminals/\(device.terminalID)/history", token: admin)
            #expect(history.items.last?["actor"] as? String == "detection")

            // A second tamper counts on the same alert, and queues no second lock.
            let again = try await device.send([(2, "tamper", #""sensor":"case_open""#)])
            #expect((again.object["commands"] as? [Any])?.isEmpty == true, "the lock awaits its answer: not resent yet")
            let queued = try await api.call(.get, "/api/v1/terminals/\(device.terminalID)/commands", token: admin)
            #expect(queued.items.map { $0["type"] as? String } == ["lock"], "one lock, delivered and awaited")
            let id = try #require(alert["id"] as? String)
            #expect(try await api.call(.get, "/api/v1/alerts/\(id)", token: admin).object["occurrences"] as? Int == 2)

            let manager = try await api.token("manager.berlin@kiez-baeckerei.demo")
            #expect(
                try await api.call(.post, "/api/v1/alerts/\(id)/acknowledge", token: manager).string("status")
                    == "acknowledged")
            let resolved = try await api.call(
                .post, "/api/v1/alerts/\(id)/resolve", token: manager,
                json: #"{"reason":"technician opened it","false_positive":true}"#)
            #expect(resolved.string("status") == "resolved")
            let rules = try await api.call(.get, "/api/v1/alerts/rules", token: admin)
            #expect(rules.items.first { $0["rule"] as? String == "tamper" }?["false_positives"] as? Int == 1)
            let analyst = try await api.token("analyst@harbour.demo")
            #expect(try await api.call(.post, "/api/v1/alerts/\(id)/acknowledge", token: analyst).status == .forbidden)
        }
    }

    @Test func merchantsCanTurnAutoLockOffAndTuneThresholds() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@kiez-baeckerei.demo")
            let terminal = try await AgentAPITests.berlinTerminal(api, try await api.token("admin@harbour.demo"))
            let merchant = try #require(terminal["merchant_id"] as? String)
            let put = try await api.call(
                .put, "/api/v1/merchants/\(merchant)/detection-settings", token: admin,
                json: #"{"auto_lock_on_critical":false,"geofence_consecutive_fixes":2}"#)
            #expect(put.status == .ok, "\(put.text)")
            let store = try #require(terminal["store_id"] as? String)
            let view = try await api.call(.get, "/api/v1/stores/\(store)/detection-settings", token: admin)
            let effective = view.object["effective"] as? [String: Any] ?? [:]
            #expect(
                effective["auto_lock_on_critical"] as? Bool == false
                    && effective["geofence_consecutive_fixes"] as? Int == 2)
            let bad = try await api.call(
                .put, "/api/v1/stores/\(store)/detection-settings", token: admin, json: #"{"max_speed_kmh":1}"#)
            #expect(bad.status == .unprocessableContent && bad.fieldErrors == ["max_speed_kmh"])

            let device = try await Device.enroll(terminal, api: api, adminToken: admin)
            let far = #""lat":52.6,"lon":13.4,"accuracy_m":20,"source":"gps""#
            let ack = try await device.send([(1, "location", far), (2, "location", far)])
            #expect((ack.object["commands"] as? [Any])?.isEmpty == true)
            let alerts = try await api.call(.get, "/api/v1/alerts?terminal_id=\(device.terminalID)", token: admin)
            #expect(alerts.items.map { $0["rule"] as? String } == ["geofence_breach"], "two fixes now suffice")
            #expect(
                try await api.call(.get, "/api/v1/terminals/\(device.terminalID)", token: admin).string("state")
                    == "active")
        }
    }

    @Test func theRosterNamesWhoMaySignIn() async throws {
        try await APIHarness.run { api async throws in
            let manager = try await api.token("manager.berlin@kiez-baeckerei.demo")
            let admin = try await api.token("admin@harbour.demo")
            let terminal = try await AgentAPITests.berlinTerminal(api, admin)
            let store = try #require(terminal["store_id"] as? String)
            let added = try await api.call(
                .put, "/api/v1/stores/\(store)/operators/op-17", token: manager, json: #"{"name":"Mia"}"#)
            #expect(added.status == .ok && added.string("operator_id") == "op-17")
            #expect(try await api.call(.get, "/api/v1/stores/\(store)/operators", token: manager).items.count == 1)
            let device = try await Device.enroll(terminal, api: api, adminToken: admin)
            _ = try await device.send([
                (1, "login", #""operator_id":"op-17","method":"pin","success":true"#),
                (2, "login", #""operator_id":"op-99","method":"pin","success":true"#),
            ])
            let alerts = try await api.call(.get, "/api/v1/alerts?terminal_id=\(device.terminalID)", token: admin)
            #expect(alerts.items.map { $0["rule"] as? String } == ["unknown_operator"])
            #expect(alerts.items.first?["evidence"] as? [Int] == [2])
            #expect(
                try await api.call(.delete, "/api/v1/stores/\(store)/operators/op-17", token: manager).status
                    == .noContent)
            #expect(
                try await api.call(.delete, "/api/v1/stores/\(store)/operators/op-17", token: manager).status
                    == .notFound)
        }
    }

    @Test func silentTerminalsGoOfflineThenMissing() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let device = try await Device.enroll(
                try await AgentAPITests.berlinTerminal(api, admin), api: api, adminToken: admin)
            _ = try await device.send([(1, "heartbeat", "")])
            device.clock.advance(31 * 60)
            #expect(try await api.tenant.app.silence.sweep() == 1)
            #expect(try await api.tenant.app.silence.sweep() == 0, "raised once")
            var alerts = try await api.call(.get, "/api/v1/alerts?terminal_id=\(device.terminalID)", token: admin)
            #expect(alerts.items.map { $0["rule"] as? String } == ["offline"])
            device.clock.advance(24 * 3600)
            #expect(try await api.tenant.app.silence.sweep() == 1)
            let fresh = try await api.token("admin@harbour.demo")  // the first session has expired meanwhile
            alerts = try await api.call(
                .get, "/api/v1/alerts?terminal_id=\(device.terminalID)&severity=critical", token: fresh)
            #expect(alerts.items.map { $0["rule"] as? String } == ["missing"])
            #expect(
                try await api.call(.get, "/api/v1/terminals/\(device.terminalID)", token: fresh).string("state")
                    == "suspected_stolen")
        }
    }
}
