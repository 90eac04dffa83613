import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PosGuardDomain
import PosGuardServices
import PosGuardTestSupport
import Synchronization
import Testing

@Suite("Webhooks")
struct WebhookAPITests {
    @Test func alertsArriveSignedAndFailuresAreRetried() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { port in
            try await APIHarness.run(webhookAllow: loopback) { api async throws in
                let admin = try await api.token("admin@kiez-baeckerei.demo")
                let created = try await api.call(
                    .post, "/api/v1/webhooks", token: admin,
                    json: #"{"url":"http://127.0.0.1:\#(port)/hook","minimum_severity":"critical"}"#)
                #expect(created.status == .created, "\(created.text)")
                let secret = try #require(created.string("secret"))
                let hook = try #require(created.string("id"))

                receiver.statuses.withLock { $0 = [.internalServerError] }
                let device = try await Device.enroll(
                    try await AgentAPITests.berlinTerminal(api, admin), api: api, adminToken: admin)
                _ = try await device.send([
                    (1, "login", #""operator_id":"x","method":"pin","success":true"#),
                    (2, "tamper", #""sensor":"lid""#),
                ])
                #expect(try await api.tenant.app.dispatcher.deliverDue() == 1, "only the critical alert is sent")
                var log = try await api.call(.get, "/api/v1/webhooks/\(hook)/deliveries", token: admin)
                #expect(
                    log.items.first?["status"] as? String == "pending"
                        && log.items.first?["last_status_code"] as? Int == 500)
                #expect(try await api.tenant.app.dispatcher.deliverDue() == 0, "the retry waits its turn")

                api.tenant.clock.advance(31)
                #expect(try await api.tenant.app.dispatcher.deliverDue() == 1)
                log = try await api.call(.get, "/api/v1/webhooks/\(hook)/deliveries", token: admin)
                #expect(
                    log.items.first?["status"] as? String == "delivered" && log.items.first?["attempts"] as? Int == 2)

                let got = receiver.received.withLock { $0 }
                #expect(got.count == 2 && got[0].body == got[1].body && got[0].id == got[1].id)
                let payload = try #require(
                    try JSONSerialization.jsonObject(with: Data(got[1].body.utf8)) as? [String: Any])
                #expect(payload["type"] as? String == "alert.raised")
                let alert = (payload["data"] as? [String: Any])?["alert"] as? [String: Any]
                #expect(alert?["rule"] as? String == "tamper" && alert?["severity"] as? String == "critical")
                // The signature, checked independently: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.body")>.
                let parts = Dictionary(
                    uniqueKeysWithValues: (got[1].signature ?? "").split(separator: ",").map {
                        let kv = $0.split(separator: "=", maxSplits: 1)
                        return (String(kv[0]), String(kv[1]))
                    })
                let mac = HMAC<SHA256>.authenticationCode(
                    for: Data("\(parts["t"] ?? "").\(got[1].body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
                #expect(parts["v1"] == mac.map { String(format: "%02x", $0) }.joined())

                let test = try await api.call(.post, "/api/v1/webhooks/\(hook)/test", token: admin)
                // Queued, not sent inside the request: the answer never waits on the receiver.
                #expect(test.status == .accepted && test.string("status") == "pending")
                #expect(test.object["attempts"] as? Int == 0)
                #expect(try await api.tenant.app.dispatcher.deliverDue() == 1)
                #expect(receiver.received.withLock { $0.last?.body.contains("webhook.test") } == true)
                #expect(try await api.call(.delete, "/api/v1/webhooks/\(hook)", token: admin).status == .noContent)
                #expect(try await api.call(.get, "/api/v1/webhooks", token: admin).items.isEmpty)
            }
        }
    }

    @Test func badSubscriptionsAreRefusedAndDeliveriesGiveUpAfterADay() async throws {
        let receiver = WebhookReceiver()
        receiver.statuses.withLock { $0 = Array(repeating: .serviceUnavailable, count: 100) }
        try await receiver.run { port in
            try await APIHarness.run(webhookAllow: loopback) { api async throws in
                let admin = try await api.token("admin@harbour.demo")
                let bad = try await api.call(
                    .post, "/api/v1/webhooks", token: admin, json: #"{"url":"ftp://example.com/x"}"#)
                #expect(bad.status == .unprocessableContent && bad.fieldErrors == ["url"])
                let cashier = try await api.token("cashier.berlin@kiez-baeckerei.demo")
                let refused = try await api.call(
                    .post, "/api/v1/webhooks", token: cashier, json: #"{"url":"http://127.0.0.1:9/x"}"#)
                #expect(refused.status == .forbidden)
                // The receiver keeps failing: after 24 hours of retries the delivery is given up.
                let created = try await api.call(
                    .post, "/api/v1/webhooks", token: admin, json: #"{"url":"http://127.0.0.1:\#(port)/hook"}"#)
                let hook = try #require(created.string("id"))
                _ = try await api.call(.post, "/api/v1/webhooks/\(hook)/test", token: admin)
                for _ in 0..<30 {
                    api.tenant.clock.advance(3600)
                    try await api.tenant.app.dispatcher.deliverDue()
                }
                let log = try await api.call(
                    .get, "/api/v1/webhooks/\(hook)/deliveries", token: try await api.token("admin@harbour.demo"))
                #expect(log.items.first?["status"] as? String == "failed")
                #expect(
                    log.items.first?["last_status_code"] as? Int == 503
                        && (log.items.first?["attempts"] as? Int ?? 0) >= 20)
            }
        }
    }

    @Test func withoutTheAllowListALoopbackReceiverGetsNothingAndTheLogSaysWhy() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { port in
            try await APIHarness.run { api async throws in
                let admin = try await api.token("admin@kiez-baeckerei.demo")
                // Written as an address in a refused range, in any of its spellings: refused at once.
                for host in [
                    "127.0.0.1:\(port)", "[::1]:\(port)", "0x7f000001:\(port)", "2130706433:\(port)", "0177.0.0.1",
                    "127.1", "[::ffff:127.0.0.1]", "169.254.169.254", "10.0.0.1", "[fd00::1]", "100.64.0.1",
                ] {
                    let refused = try await api.call(
                        .post, "/api/v1/webhooks", token: admin, json: #"{"url":"http://\#(host)/hook"}"#)
                    #expect(refused.status == .unprocessableContent && refused.fieldErrors == ["url"], "\(host)")
                    #expect(refused.text.contains("refused"), "\(host): \(refused.text)")
                }
                #expect(try await api.call(.get, "/api/v1/webhooks", token: admin).items.isEmpty)
                // A host name is checked when it is sent to, against what it resolves to then.
                let created = try await api.call(
                    .post, "/api/v1/webhooks", token: admin, json: #"{"url":"http://localhost:\#(port)/hook"}"#)
                #expect(created.status == .created, "\(created.text)")
                let hook = try #require(created.string("id"))
                #expect(try await api.call(.post, "/api/v1/webhooks/\(hook)/test", token: admin).status == .accepted)
                try await api.tenant.app.dispatcher.deliverDue()
                #expect(receiver.received.withLock { $0.isEmpty }, "nothing reached the loopback receiver")
                let log = try await api.call(.get, "/api/v1/webhooks/\(hook)/deliveries", token: admin)
                let entry = try #require(log.items.first)
                #expect(
                    entry["last_error"] as? String
                        == "refused: 127.0.0.1 is a loopback address (localhost resolves to it)")
                #expect(entry["status"] as? String == "pending" && entry["last_status_code"] == nil)
            }
        }
    }

    @Test func redirectsAreNotFollowed() async throws {
        let elsewhere = WebhookReceiver()
        let receiver = WebhookReceiver()
        try await elsewhere.run { elsewherePort in
            try await receiver.run { port in
                try await APIHarness.run(webhookAllow: loopback) { api async throws in
                    let admin = try await api.token("admin@kiez-baeckerei.demo")
                    receiver.statuses.withLock { $0 = [.temporaryRedirect, .permanentRedirect] }
                    receiver.location.withLock { $0 = "http://127.0.0.1:\(elsewherePort)/hook" }
                    let created = try await api.call(
                        .post, "/api/v1/webhooks", token: admin, json: #"{"url":"http://127.0.0.1:\#(port)/hook"}"#)
                    let hook = try #require(created.string("id"))
                    for expected in [307, 308] {
                        _ = try await api.call(.post, "/api/v1/webhooks/\(hook)/test", token: admin)
                        try await api.tenant.app.dispatcher.deliverDue()
                        let log = try await api.call(.get, "/api/v1/webhooks/\(hook)/deliveries", token: admin)
                        #expect(log.items.last?["last_status_code"] as? Int == expected)
                        #expect(log.items.last?["status"] as? String == "pending", "a redirect is a failed attempt")
                    }
                    #expect(receiver.received.withLock { $0.count } == 2)
                    #expect(elsewhere.received.withLock { $0.isEmpty }, "the redirect target never hears a thing")
                }
            }
        }
    }

    @Test func retriesBackOffExponentiallyWithinADay() {
        let start = Date(timeIntervalSince1970: 0)
        #expect(RetrySchedule.next(after: 1, createdAt: start, now: start) == Date(timeIntervalSince1970: 30))
        #expect(RetrySchedule.next(after: 3, createdAt: start, now: start) == Date(timeIntervalSince1970: 120))
        #expect(
            RetrySchedule.next(after: 10, createdAt: start, now: Date(timeIntervalSince1970: 100))
                == Date(timeIntervalSince1970: 3700))
        #expect(RetrySchedule.next(after: 3, createdAt: start, now: Date(timeIntervalSince1970: 86_350)) == nil)
    }
}
