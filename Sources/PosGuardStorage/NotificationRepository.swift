import Foundation
import PosGuardDomain
import SQLKit

/// Webhook subscriptions, their delivery log, and the email outbox. Webhook signing secrets are sealed under
/// the master key (`SecretBox`) and handed out in plain text.
public struct NotificationRepository: Sendable {
    public struct Email: Sendable, Equatable {
        public var id: UUID
        public var providerID: UUID
        public var recipient: String
        public var subject: String
        public var body: String
        public var attempts: Int
        public var createdAt: Date

        public init(
            id: UUID, providerID: UUID, recipient: String, subject: String, body: String, attempts: Int, createdAt: Date
        ) {
            self.id = id
            self.providerID = providerID
            self.recipient = recipient
            self.subject = subject
            self.body = body
            self.attempts = attempts
            self.createdAt = createdAt
        }
    }

    let secrets: SecretBox

    public init(secrets: SecretBox) { self.secrets = secrets }

    public func insert(_ w: Webhook, secret: String, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "webhooks")
            .columns("id", "provider_id", "merchant_id", "url", "secret", "minimum_severity", "created_at")
            .values(
                SQLBind(w.id.key), SQLBind(w.providerID.key), SQLBind(w.merchantID?.key), SQLBind(w.url),
                SQLBind(try secrets.seal(secret, for: .webhook(w.id))),
                SQLBind(w.minimumSeverity.rawValue), SQLBind(w.createdAt.millis)
            ).run()
    }

    public func delete(_ id: UUID, at now: Date, on work: UnitOfWork) async throws {
        try await work.sql.update("webhooks").set("deleted_at", to: now.millis).where("id", .equal, id.key).run()
    }

    /// A live webhook in scope, with its secret.
    public func find(_ id: UUID, in scope: Scope, on work: UnitOfWork) async throws -> (Webhook, secret: String)? {
        // Read without a throwing closure: Swift 6.3.1 crashes compiling one here with optimisation on.
        guard let row = try await live(work.sql).where("id", .equal, id.key).scoped(scope, .webhooks).first() else {
            return nil
        }
        let hook = try Self.webhook(row)
        return (hook, try secret(row, of: hook.id))
    }

    /// The live webhooks in scope: a merchant's own, or all of a provider's.
    public func list(in scope: Scope, on work: UnitOfWork) async throws -> [Webhook] {
        try await live(work.sql).scoped(scope, .webhooks).orderBy("id").all().map(Self.webhook)
    }

    /// The live webhooks that hear about a terminal of this merchant, with their secrets.
    public func subscribers(provider: UUID, merchant: UUID, on work: UnitOfWork) async throws -> [(Webhook, String)] {
        try await live(work.sql).where("provider_id", .equal, provider.key).orderBy("id").all().compactMap { row in
            let hook = try Self.webhook(row)
            guard hook.merchantID == nil || hook.merchantID == merchant else { return nil }
            return (hook, try secret(row, of: hook.id))
        }
    }

    public func insert(_ d: WebhookDelivery, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "webhook_deliveries")
            .columns("id", "webhook_id", "event_type", "payload", "status", "attempts", "next_attempt_at", "created_at")
            .values(
                SQLBind(d.id.key), SQLBind(d.webhookID.key), SQLBind(d.eventType), SQLBind(d.payload),
                SQLBind(d.status.rawValue), SQLBind(Int64(d.attempts)), SQLBind(d.nextAttemptAt?.millis),
                SQLBind(d.createdAt.millis)
            ).run()
    }

    public func update(_ d: WebhookDelivery, on work: UnitOfWork) async throws {
        try await work.sql.update("webhook_deliveries").set("status", to: d.status.rawValue).set(
            "attempts", to: Int64(d.attempts)
        )
        .set("next_attempt_at", to: d.nextAttemptAt?.millis).set(
            "last_status_code", to: d.lastStatusCode.map(Int64.init)
        )
        .set("last_error", to: d.lastError).set("delivered_at", to: d.deliveredAt?.millis)
        .where("id", .equal, d.id.key)
        // An attempt's outcome never revives a delivery cancelled while it was under way.
        .where("status", .equal, WebhookDelivery.Status.pending.rawValue).run()
    }

    /// Pending deliveries of live webhooks whose time has come, oldest first, with their webhook's URL and secret.
    public func dueDeliveries(at now: Date, limit: Int, on work: UnitOfWork) async throws
        -> [(WebhookDelivery, url: String, secret: String)]
    {
        let rows = try await work.sql.select().column(SQLColumn(SQLLiteral.all, table: SQLIdentifier("d")))
            .column(SQLColumn("url", table: "w")).column(SQLColumn("secret", table: "w"))
            .from(SQLAlias(SQLIdentifier("webhook_deliveries"), as: SQLIdentifier("d")))
            .join(
                SQLAlias(SQLIdentifier("webhooks"), as: SQLIdentifier("w")), method: SQLJoinMethod.inner,
                on: SQLColumn("id", table: "w"), .equal, SQLColumn("webhook_id", table: "d")
            )
            .where(SQLColumn("status", table: "d"), .equal, SQLBind(WebhookDelivery.Status.pending.rawValue))
            .where(SQLColumn("next_attempt_at", table: "d"), .lessThanOrEqual, SQLBind(now.millis))
            .where(SQLColumn("deleted_at", table: "w"), .is, SQLLiteral.null)
            .orderBy(SQLColumn("id", table: "d")).limit(limit).all()
        return try rows.map { row in
            let delivery = try Self.delivery(row)
            return (delivery, try row.text("url"), try secret(row, of: delivery.webhookID))
        }
    }

    /// Claims due deliveries for one sender until `until`: of `ids`, those still pending and due are pushed
    /// past the lease in one statement and returned — so two senders, in this instance or another, never
    /// both send one delivery. A sender that dies mid-send leaves its claim to lapse, and the delivery goes out
    /// again later under the same `PosGuard-Webhook-Id`.
    public func claim(_ ids: [UUID], until: Date, at now: Date, on work: UnitOfWork) async throws -> Set<UUID> {
        try await claim(ids, in: "webhook_deliveries", until: until, at: now, on: work)
    }

    /// Claims due emails for one sender until `until`, as `claim` does deliveries: each email goes out once,
    /// whichever instance's sender picked it up.
    public func claimEmails(_ ids: [UUID], until: Date, at now: Date, on work: UnitOfWork) async throws -> Set<UUID> {
        try await claim(ids, in: "email_outbox", until: until, at: now, on: work)
    }

    private func claim(_ ids: [UUID], in table: String, until: Date, at now: Date, on work: UnitOfWork) async throws
        -> Set<UUID>
    {
        guard !ids.isEmpty else { return [] }
        let rows = try await work.sql.update(table).set("next_attempt_at", to: until.millis)
            .where("id", .in, ids.map(\.key)).where("status", .equal, "pending")
            .where("next_attempt_at", .lessThanOrEqual, now.millis).returning("id").all()
        return Set(try rows.map { try $0.uuid("id") })
    }

    public func deliveries(of webhook: UUID, in scope: Scope, after cursor: Cursor?, limit: Int, on work: UnitOfWork)
        async throws -> Page<WebhookDelivery>
    {
        let rows = try await work.sql.select().column("*").from("webhook_deliveries")
            .where("webhook_id", .equal, webhook.key).scoped(scope, through: "webhook_id", of: "webhooks", .webhooks)
            .page(after: cursor, limit: limit).all()
        return Page(fetched: try rows.map(Self.delivery), limit: limit, id: \.id)
    }

    public func insert(_ e: Email, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "email_outbox")
            .columns(
                "id", "provider_id", "recipient", "subject", "body", "status", "attempts", "next_attempt_at",
                "created_at"
            )
            .values(
                SQLBind(e.id.key), SQLBind(e.providerID.key), SQLBind(e.recipient), SQLBind(e.subject), SQLBind(e.body),
                SQLBind("pending"), SQLBind(Int64(e.attempts)), SQLBind(e.createdAt.millis), SQLBind(e.createdAt.millis)
            ).run()
    }

    public func dueEmails(at now: Date, limit: Int, on work: UnitOfWork) async throws -> [Email] {
        try await work.sql.select().column("*").from("email_outbox").where("status", .equal, "pending")
            .where("next_attempt_at", .lessThanOrEqual, now.millis).orderBy("id").limit(limit).all().map { row in
                Email(
                    id: try row.uuid("id"), providerID: try row.uuid("provider_id"),
                    recipient: try row.text("recipient"),
                    subject: try row.text("subject"), body: try row.text("body"),
                    attempts: Int(try row.int("attempts")),
                    createdAt: try row.date("created_at"))
            }
    }

    /// Records the outcome of an attempt at an email: sent, retried at `next`, or given up (`next` nil).
    public func recordEmail(
        _ id: UUID, sent: Bool, attempts: Int, next: Date?, error: String?, at now: Date, on work: UnitOfWork
    )
        async throws
    {
        try await work.sql.update("email_outbox").set("status", to: sent ? "sent" : next == nil ? "failed" : "pending")
            .set("attempts", to: Int64(attempts)).set("next_attempt_at", to: next?.millis).set("last_error", to: error)
            .set("sent_at", to: sent ? now.millis : nil).where("id", .equal, id.key).run()
    }

    /// Every email of a provider, newest last (for operators and tests).
    public func emails(provider: UUID, on work: UnitOfWork) async throws -> [(Email, status: String)] {
        try await work.sql.select().column("*").from("email_outbox").where("provider_id", .equal, provider.key).orderBy(
            "id"
        )
        .all()
        .map { row in
            (
                Email(
                    id: try row.uuid("id"), providerID: try row.uuid("provider_id"),
                    recipient: try row.text("recipient"),
                    subject: try row.text("subject"), body: try row.text("body"),
                    attempts: Int(try row.int("attempts")),
                    createdAt: try row.date("created_at")), try row.text("status")
            )
        }
    }

    private func secret(_ row: any SQLRow, of webhook: UUID) throws -> String {
        try secrets.open(try row.text("secret"), for: .webhook(webhook))
    }

    private func live(_ db: any SQLDatabase) -> SQLSelectBuilder {
        db.select().column("*").from("webhooks").where(SQLColumn("deleted_at"), .is, SQLLiteral.null)
    }

    static func webhook(_ row: any SQLRow) throws -> Webhook {
        Webhook(
            id: try row.uuid("id"), providerID: try row.uuid("provider_id"),
            merchantID: try row.optionalUUID("merchant_id"),
            url: try row.text("url"), minimumSeverity: try row.enumeration("minimum_severity", as: AlertSeverity.self),
            createdAt: try row.date("created_at"))
    }

    static func delivery(_ row: any SQLRow) throws -> WebhookDelivery {
        var d = WebhookDelivery(
            id: try row.uuid("id"), webhookID: try row.uuid("webhook_id"), eventType: try row.text("event_type"),
            payload: try row.text("payload"), createdAt: try row.date("created_at"))
        d.status = try row.enumeration("status", as: WebhookDelivery.Status.self)
        d.attempts = Int(try row.int("attempts"))
        d.nextAttemptAt = try row.optionalDate("next_attempt_at")
        d.lastStatusCode = try row.decode(column: "last_status_code", as: Int64?.self).map(Int.init)
        d.lastError = try row.optionalText("last_error")
        d.deliveredAt = try row.optionalDate("delivered_at")
        return d
    }
}
