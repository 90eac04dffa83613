import Foundation
import HTTPTypes
import Logging
import PosGuardDomain
import PosGuardServices
import PosGuardStorage
import PosGuardTestSupport
import Synchronization
import Testing

/// A resolver that answers from a table the test changes as it goes, and runs `onLookUp` first (to act
/// between the dispatcher picking a delivery up and sending it).
final class ScriptedResolver: HostResolver {
    let answers = Mutex<[String: [IPAddress]]>([:])
    let onLookUp = Mutex<(@Sendable () async throws -> Void)?>(nil)
    let lookUps = Mutex(0)

    func addresses(of host: String) async throws -> [IPAddress] {
        lookUps.withLock { $0 += 1 }
        if let action = onLookUp.withLock({ $0 }) { try await action() }
        guard let found = answers.withLock({ $0[host] }) else { throw HarnessError(message: "no such host \(host)") }
        return found
    }
}

/// Keeps every log line, with its metadata, at every level.
struct CapturedLog: LogHandler {
    let log: LogLines
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        log.lines.withLock { $0.append("\(event.message) \(all)") }
    }
}

final class LogLines: Sendable {
    let lines = Mutex<[String]>([])
    var logger: Logger { Logger(label: "test") { _ in CapturedLog(log: self) } }
}

/// Deliveries as the dispatcher makes them, on SQLite and PostgreSQL: what is checked at send time, and what a
/// deleted subscription still gets (nothing).
@Suite("Webhook deliveries")
struct WebhookDeliveryTests {
    struct Setup {
        let tenant: DemoTenant
        let admin: Caller
        let resolver = ScriptedResolver()
        var app: PosGuard { tenant.app }

        func dispatcher(allowing allowed: [IPNetwork] = loopback, logger: Logger? = nil) -> WebhookDispatcher {
            WebhookDispatcher(
                runtime: app.runtime, policy: WebhookAddressPolicy(allowing: allowed), resolver: resolver,
                logger: logger ?? Logger(label: "test"))
        }

        /// Subscribes the merchant admin to `url`; returns the webhook's id.
        func subscribe(_ url: String) async throws -> UUID {
            try await app.webhooks.create(.init(url: url), by: admin).webhook.id
        }

        func deliveries(of hook: UUID) async throws -> [WebhookDelivery] {
            try await app.runtime.database.withConnection {
                try await NotificationRepository(secrets: app.runtime.secrets).deliveries(
                    of: hook, in: admin.scope, after: nil, limit: 100, on: $0
                ).items
            }
        }
    }

    /// Runs `body` with a loopback receiver (its port given) and the demo tenant, whose webhooks may reach it.
    static func withReceiver(
        _ kind: TestDatabase, answering statuses: [HTTPResponse.Status] = [], logger: Logger = TestDatabase.logger,
        _ body: @escaping @Sendable (Setup, WebhookReceiver, Int) async throws -> Void
    ) async throws {
        let receiver = WebhookReceiver()
        receiver.statuses.withLock { $0 = statuses }
        try await receiver.run { port in
            try await kind.withMigrated(logger: logger) { db in
                let tenant = try await DemoTenant.load(on: db, webhookAllow: loopback)
                let admin = try await tenant.caller("admin@kiez-baeckerei.demo")
                try await body(Setup(tenant: tenant, admin: admin), receiver, port)
            }
        }
    }

    @Test(arguments: TestDatabase.available)
    func aDeletedWebhookGetsNoQueuedRetries(_ kind: TestDatabase) async throws {
        try await Self.withReceiver(kind, answering: [.internalServerError]) { setup, receiver, port in
            let hook = try await setup.subscribe("http://127.0.0.1:\(port)/hook")
            _ = try await setup.app.webhooks.test(hook, by: setup.admin)
            #expect(try await setup.app.dispatcher.deliverDue() == 1)
            #expect(try await setup.deliveries(of: hook).first?.status == .pending, "a retry is queued")

            try await setup.app.webhooks.delete(hook, by: setup.admin)
            setup.tenant.clock.advance(31)
            #expect(try await setup.app.dispatcher.deliverDue() == 0)
            #expect(receiver.received.withLock { $0.count } == 1, "the retry never went out")
            let delivery = try #require(try await setup.deliveries(of: hook).first)
            #expect(delivery.status == .cancelled && delivery.nextAttemptAt == nil)
            #expect(delivery.lastError == "cancelled: the webhook was deleted")
            let audit = try await setup.app.auditLog.list(
                target: hook, after: nil, limit: 10, by: try await setup.tenant.caller("admin@harbour.demo"))
            #expect(
                audit.items.first { $0.action == "webhook.delete" }?.reason == "1 pending deliveries cancelled")
        }
    }

    @Test(arguments: TestDatabase.available)
    func aWebhookDeletedWhileItsDeliveryIsOnItsWayIsNotSent(_ kind: TestDatabase) async throws {
        try await Self.withReceiver(kind) { setup, receiver, port in
            let hook = try await setup.subscribe("http://receiver.invalid:\(port)/hook")
            setup.resolver.answers.withLock { $0["receiver.invalid"] = [.v4(0x7f00_0001)] }
            _ = try await setup.app.webhooks.test(hook, by: setup.admin)
            // The dispatcher has picked the delivery up when the admin deletes the webhook.
            let (app, admin) = (setup.app, setup.admin)
            setup.resolver.onLookUp.withLock { $0 = { try await app.webhooks.delete(hook, by: admin) } }
            #expect(try await setup.dispatcher().deliverDue() == 0)
            #expect(setup.resolver.lookUps.withLock { $0 } == 1)
            #expect(receiver.received.withLock { $0.isEmpty })
            let delivery = try #require(try await setup.deliveries(of: hook).first)
            #expect(delivery.status == .cancelled && delivery.attempts == 0)
        }
    }

    @Test(arguments: TestDatabase.available)
    func aHostNameIsCheckedAtEveryDeliveryAndTheCheckedAddressIsTheOneReached(_ kind: TestDatabase) async throws {
        try await Self.withReceiver(kind) { setup, receiver, port in
            let hook = try await setup.subscribe("http://receiver.invalid:\(port)/hook")
            let dispatcher = setup.dispatcher()
            // The name resolves to the allowed loopback: sent there, under its own name.
            setup.resolver.answers.withLock { $0["receiver.invalid"] = [.v4(0x7f00_0001)] }
            _ = try await setup.app.webhooks.test(hook, by: setup.admin)
            #expect(try await dispatcher.deliverDue() == 1)
            #expect(receiver.received.withLock { $0.map(\.host) } == ["receiver.invalid:\(port)"])
            #expect(try await setup.deliveries(of: hook).first?.status == .delivered)

            // Then it answers with the cloud metadata address, or with one good and one bad address.
            for (answer, why) in [
                ([IPAddress.v4(0xa9fe_a9fe)], "169.254.169.254 is a link-local address"),
                ([.v4(0x7f00_0001), .v4(0x0a00_0001)], "10.0.0.1 is a private network address"),
                ([.v6(0xfd00 << 112 | 1)], "fd00::1 is a unique-local address"),
            ] {
                setup.resolver.answers.withLock { $0["receiver.invalid"] = answer }
                _ = try await setup.app.webhooks.test(hook, by: setup.admin)
                #expect(try await dispatcher.deliverDue() == 1)
                let latest = try #require(try await setup.deliveries(of: hook).last)
                #expect(latest.lastError == "refused: \(why) (receiver.invalid resolves to it)")
                #expect(latest.status == .pending && latest.attempts == 1 && latest.lastStatusCode == nil)
            }
            #expect(receiver.received.withLock { $0.count } == 1, "nothing more reached the receiver")

            // Without the allow-list even the first answer is refused.
            setup.resolver.answers.withLock { $0["receiver.invalid"] = [.v4(0x7f00_0001)] }
            setup.tenant.clock.advance(3600)
            #expect(try await setup.dispatcher(allowing: []).deliverDue() == 3)
            #expect(receiver.received.withLock { $0.count } == 1)
            #expect(
                try await setup.deliveries(of: hook).last?.lastError
                    == "refused: 127.0.0.1 is a loopback address (receiver.invalid resolves to it)")
        }
    }

    @Test(arguments: TestDatabase.available)
    func twoSendersAtOnceSendEachDeliveryOnce(_ kind: TestDatabase) async throws {
        try await Self.withReceiver(kind) { setup, receiver, port in
            let hook = try await setup.subscribe("http://127.0.0.1:\(port)/hook")
            for _ in 0..<5 { _ = try await setup.app.webhooks.test(hook, by: setup.admin) }
            // Two senders (the background job of this instance and of another) pick up the same due rows.
            let (first, second) = (setup.dispatcher(), setup.dispatcher())
            async let a = first.deliverDue()
            async let b = second.deliverDue()
            #expect(try await a + b == 5)
            let ids = receiver.received.withLock { $0.map(\.id) }
            #expect(ids.count == 5 && Set(ids).count == 5, "each delivery reached the receiver once")
            #expect(try await setup.deliveries(of: hook).allSatisfy { $0.status == .delivered && $0.attempts == 1 })
        }
    }

    @Test(arguments: TestDatabase.available)
    func theWebhookSecretIsNeverLogged(_ kind: TestDatabase) async throws {
        let log = LogLines()
        try await Self.withReceiver(kind, logger: log.logger) { setup, receiver, port in
            let sent = try await setup.subscribe("http://127.0.0.1:\(port)/hook")
            let refused = try await setup.subscribe("http://receiver.invalid/hook")
            setup.resolver.answers.withLock { $0["receiver.invalid"] = [.v4(0x0a00_0001)] }
            _ = try await setup.app.webhooks.test(sent, by: setup.admin)
            _ = try await setup.app.webhooks.test(refused, by: setup.admin)
            #expect(try await setup.dispatcher(logger: log.logger).deliverDue() == 2)
            #expect(receiver.received.withLock { $0.count } == 1)
        }
        let lines = log.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("webhook delivery answered") })
        #expect(lines.contains { $0.contains("webhook delivery not sent") })
        #expect(!lines.contains { $0.contains("whsec_") }, "\(lines.filter { $0.contains("whsec_") })")
    }
}
