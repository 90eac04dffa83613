import AsyncHTTPClient
import Foundation
import NIOCore
import PosGuardDomain
import PosGuardStorage

/// Sends due webhook deliveries: a 2xx answer delivers; anything else, or no answer within ten seconds,
/// is retried with exponential backoff until 24 hours after the message was created.
public struct WebhookDispatcher: Sendable {
    let runtime: Runtime
    let http: HTTPClient
    var repository: NotificationRepository { NotificationRepository(secrets: runtime.secrets) }

    public init(runtime: Runtime, http: HTTPClient = .shared) {
        self.runtime = runtime
        self.http = http
    }

    /// Attempts every due delivery once; returns how many were attempted.
    @discardableResult
    public func deliverDue(limit: Int = 100) async throws -> Int {
        let now = runtime.now()
        let due = try await runtime.database.withConnection {
            try await repository.dueDeliveries(at: now, limit: limit, on: $0)
        }
        let outcomes = await withTaskGroup(of: WebhookDelivery.self) { group in
            for (delivery, url, secret) in due {
                group.addTask { await attempt(delivery, url: url, secret: secret, now: now) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        try await runtime.database.transaction { db in
            for delivery in outcomes { try await repository.update(delivery, on: db) }
        }
        return outcomes.count
    }

    private func attempt(_ delivery: WebhookDelivery, url: String, secret: String, now: Date) async -> WebhookDelivery {
        var d = delivery
        d.attempts += 1
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "PosGuard-Webhooks/1")
        request.headers.add(name: "PosGuard-Webhook-Id", value: delivery.id.uuidString)
        request.headers.add(
            name: "PosGuard-Webhook-Signature",
            value: Webhooks.signature(body: delivery.payload, secret: secret, at: now))
        request.body = .bytes(ByteBuffer(string: delivery.payload))
        do {
            let response = try await http.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 << 10)
            d.lastStatusCode = Int(response.status.code)
            d.lastError = nil
            if (200..<300).contains(response.status.code) {
                d.status = .delivered
                d.deliveredAt = now
                d.nextAttemptAt = nil
                return d
            }
        } catch {
            d.lastStatusCode = nil
            d.lastError = String(describing: error).prefix(500).description
        }
        d.nextAttemptAt = RetrySchedule.next(after: d.attempts, createdAt: d.createdAt, now: now)
        if d.nextAttemptAt == nil { d.status = .failed }
        return d
    }
}
