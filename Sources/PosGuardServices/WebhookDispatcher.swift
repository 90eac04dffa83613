import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import PosGuardDomain
import PosGuardStorage

/// Sends due webhook deliveries: a 2xx answer delivers; anything else — a redirect too, which is never
/// followed — or no answer within ten seconds, is retried with exponential backoff until 24 hours after the
/// message was created.
///
/// Before every attempt the URL's host is resolved and each address it names is checked against the address
/// policy; a refused one is logged on the delivery and nothing is sent. The connection then goes to the
/// address that was checked, so a name that answers differently a moment later (DNS rebinding) changes nothing.
public struct WebhookDispatcher: Sendable {
    let runtime: Runtime
    let policy: WebhookAddressPolicy
    let resolver: any HostResolver
    let logger: Logger
    var repository: NotificationRepository { NotificationRepository(secrets: runtime.secrets) }

    public init(
        runtime: Runtime, policy: WebhookAddressPolicy = WebhookAddressPolicy(),
        resolver: any HostResolver = SystemHostResolver(), logger: Logger = Logger(label: "posguard.webhooks")
    ) {
        self.runtime = runtime
        self.policy = policy
        self.resolver = resolver
        self.logger = logger
    }

    /// How long a sender holds the deliveries it picked up: well past one attempt's ten-second timeout.
    static let claimLease: TimeInterval = 60

    /// Attempts every due delivery once; returns how many were attempted (sent, or refused and not sent).
    @discardableResult
    public func deliverDue(limit: Int = 100) async throws -> Int {
        let now = runtime.now()
        let due = try await runtime.database.withConnection { db in
            let candidates = try await repository.dueDeliveries(at: now, limit: limit, on: db)
            let claimed = try await repository.claim(
                candidates.map(\.0.id), until: now.addingTimeInterval(Self.claimLease), at: now, on: db)
            return candidates.filter { claimed.contains($0.0.id) }
        }
        let outcomes = await withTaskGroup(of: WebhookDelivery?.self) { group in
            for (delivery, url, secret) in due {
                group.addTask { await attempt(delivery, url: url, secret: secret, now: now) }
            }
            return await group.reduce(into: [WebhookDelivery]()) { if let outcome = $1 { $0.append(outcome) } }
        }
        try await runtime.database.transaction { db in
            for delivery in outcomes { try await repository.update(delivery, on: db) }
        }
        return outcomes.count
    }

    /// Where a delivery goes: the address to connect to, or why it is not sent.
    enum Destination {
        case address(WebhookTarget, IPAddress)
        case notSent(String)
    }

    func destination(of url: String) async -> Destination {
        guard let target = WebhookTarget(url: url) else { return .notSent("not an absolute http or https URL") }
        if let literal = target.literal {
            if let refusal = policy.refusal(for: literal) { return .notSent("refused: \(refusal)") }
            return .address(target, literal)
        }
        let addresses: [IPAddress]
        do {
            addresses = try await resolver.addresses(of: target.host)
        } catch {
            return .notSent(String(describing: error))
        }
        // One refused address is enough: which of them a connection would reach is not ours to know.
        if let refusal = addresses.lazy.compactMap(policy.refusal(for:)).first {
            return .notSent("refused: \(refusal) (\(target.host) resolves to it)")
        }
        guard let first = addresses.first else { return .notSent("cannot resolve \(target.host): no address") }
        return .address(target, first)
    }

    /// One attempt at one delivery; nil when it is no longer to be sent (its webhook was deleted meanwhile).
    private func attempt(_ delivery: WebhookDelivery, url: String, secret: String, now: Date) async -> WebhookDelivery?
    {
        var d = delivery
        d.lastStatusCode = nil
        switch await destination(of: url) {
        case .notSent(let reason):
            d.lastError = reason
            logger.debug(
                "webhook delivery not sent",
                metadata: ["delivery": "\(d.id)", "webhook": "\(d.webhookID)", "why": "\(reason)"])
        case .address(let target, let address):
            guard
                (try? await runtime.database.withConnection { try await repository.isDeliverable(d.id, on: $0) })
                    == true
            else { return nil }
            do {
                let status = try await send(d, secret: secret, url: url, to: target, at: address, now: now)
                d.lastStatusCode = status
                d.lastError = nil
                logger.debug(
                    "webhook delivery answered",
                    metadata: ["delivery": "\(d.id)", "address": "\(address)", "status": "\(status)"])
                if (200..<300).contains(status) {
                    d.attempts += 1
                    d.status = .delivered
                    d.deliveredAt = now
                    d.nextAttemptAt = nil
                    return d
                }
            } catch {
                d.lastError = String(describing: error).prefix(500).description
            }
        }
        d.attempts += 1
        d.nextAttemptAt = RetrySchedule.next(after: d.attempts, createdAt: d.createdAt, now: now)
        if d.nextAttemptAt == nil { d.status = .failed }
        return d
    }

    /// POSTs the delivery to the checked address, signed; returns the answer's status code.
    private func send(
        _ delivery: WebhookDelivery, secret: String, url: String, to target: WebhookTarget, at address: IPAddress,
        now: Date
    ) async throws -> Int {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        // The client looks its host up under the name as written, or in brackets for IPv6; both lead to the
        // address that was checked. https still verifies the certificate against the name in the URL.
        configuration.dnsOverride = [target.host: "\(address)", "[\(target.host)]": "\(address)"]
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
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
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 64 << 10)
            try? await client.shutdown()
            return Int(response.status.code)
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
