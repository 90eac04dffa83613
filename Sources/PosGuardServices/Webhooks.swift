import Crypto
import Foundation
import PosGuardDomain
import PosGuardStorage

/// Webhook subscriptions: an organisation names a URL and receives its alerts there as JSON, signed
/// with HMAC-SHA256 over `timestamp.body` in the header `PosGuard-Webhook-Signature: t=…,v1=…`.
public struct Webhooks: Sendable {
    public struct Draft: Sendable, Decodable {
        public var url: String
        public var minimumSeverity: AlertSeverity?
        /// A provider admin may subscribe on behalf of one merchant; a merchant admin always does.
        public var merchantID: UUID?

        public init(url: String, minimumSeverity: AlertSeverity? = nil, merchantID: UUID? = nil) {
            self.url = url
            self.minimumSeverity = minimumSeverity
            self.merchantID = merchantID
        }
    }

    public struct Created: Sendable {
        public var webhook: Webhook
        /// The signing secret, shown once.
        public var secret: String
    }

    let runtime: Runtime
    /// Which addresses a subscription written with an address may name.
    let policy: WebhookAddressPolicy
    var repository: NotificationRepository { NotificationRepository(secrets: runtime.secrets) }
    let merchants = MerchantRepository()
    var audit: AuditLog { AuditLog(runtime: runtime) }

    public init(runtime: Runtime, policy: WebhookAddressPolicy = WebhookAddressPolicy()) {
        self.runtime = runtime
        self.policy = policy
    }

    public func create(_ draft: Draft, by caller: Caller) async throws -> Created {
        let now = runtime.now()
        try caller.authorize(.manageWebhooks, at: now)
        let url = draft.url.trimmingCharacters(in: .whitespaces)
        try Webhook.validate(url: url, policy: policy)
        var random = SystemRandomNumberGenerator()
        let secret =
            "whsec_" + (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
        return try await runtime.database.transaction { db in
            let merchant = draft.merchantID ?? caller.scope.merchantID
            if let merchant, try await merchants.find(merchant, in: caller.scope, on: db) == nil {
                throw ValidationFailure([FieldError("merchant_id", "is not a merchant you manage")])
            }
            let hook = Webhook(
                id: runtime.ids.next(), providerID: caller.scope.providerID, merchantID: merchant, url: url,
                minimumSeverity: draft.minimumSeverity ?? .warning, createdAt: now)
            try await repository.insert(hook, secret: secret, on: db)
            try await audit.record(
                caller, "webhook.create", target: "webhook", id: hook.id, after: hook, at: now, on: db)
            return Created(webhook: hook, secret: secret)
        }
    }

    public func list(by caller: Caller) async throws -> [Webhook] {
        guard caller.may(.manageWebhooks) else { return [] }
        return try await runtime.database.withConnection { try await repository.list(in: caller.scope, on: $0) }
    }

    /// Deletes the subscription and cancels its queued messages with it: nothing more is sent to it.
    public func delete(_ id: UUID, by caller: Caller) async throws {
        let now = runtime.now()
        try await runtime.database.transaction { db in
            let hook = try await find(id, caller, db)
            try await repository.delete(id, at: now, on: db)
            let cancelled = try await repository.cancelPendingDeliveries(
                of: id, reason: "cancelled: the webhook was deleted", on: db)
            try await audit.record(
                caller, "webhook.delete", target: "webhook", id: id, before: hook,
                reason: cancelled > 0 ? "\(cancelled) pending deliveries cancelled" : nil, at: now, on: db)
        }
    }

    /// Queues a `webhook.test` message for the subscription; the dispatcher sends it at once.
    public func test(_ id: UUID, by caller: Caller) async throws -> WebhookDelivery {
        let now = runtime.now()
        return try await runtime.database.transaction { db in
            let hook = try await find(id, caller, db)
            let delivery = WebhookDelivery(
                id: runtime.ids.next(), webhookID: hook.id, eventType: "webhook.test",
                payload: Self.envelope(
                    id: hook.id, type: "webhook.test", at: now, data: .object(["message": "PosGuard test delivery"])),
                createdAt: now)
            try await repository.insert(delivery, on: db)
            return delivery
        }
    }

    public func deliveries(of id: UUID, after cursor: Cursor?, limit: Int, by caller: Caller) async throws -> Page<
        WebhookDelivery
    > {
        try await runtime.database.withConnection { db in
            _ = try await find(id, caller, db)
            return try await repository.deliveries(of: id, in: caller.scope, after: cursor, limit: limit, on: db)
        }
    }

    private func find(_ id: UUID, _ caller: Caller, _ db: UnitOfWork) async throws -> Webhook {
        guard caller.may(.manageWebhooks), let (hook, _) = try? await repository.find(id, in: caller.scope, on: db)
        else { throw ServiceError.notFound("webhook") }
        return hook
    }

    /// The JSON every message carries: `{"id", "type", "created_at", "data"}`.
    static func envelope(id: UUID, type: String, at: Date, data: JSONValue) -> String {
        JSONValue.object([
            "id": .string(id.uuidString), "type": .string(type), "created_at": .string(RFC3339.format(at)),
            "data": data,
        ]).text
    }

    /// `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>`.
    public static func signature(body: String, secret: String, at date: Date) -> String {
        let t = String(Int64(date.timeIntervalSince1970))
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(t).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(t),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}
