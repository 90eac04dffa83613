import Foundation

/// Where an organisation wants its alerts pushed, and with which shared secret they are signed.
public struct Webhook: Sendable, Equatable, Codable {
    public var id: UUID
    public var providerID: UUID
    /// Set for a merchant's own subscription: it then hears only of its own terminals.
    public var merchantID: UUID?
    public var url: String
    /// Alerts below this severity are not sent.
    public var minimumSeverity: AlertSeverity
    public var createdAt: Date

    public init(
        id: UUID, providerID: UUID, merchantID: UUID?, url: String, minimumSeverity: AlertSeverity, createdAt: Date
    ) {
        self.id = id
        self.providerID = providerID
        self.merchantID = merchantID
        self.url = url
        self.minimumSeverity = minimumSeverity
        self.createdAt = createdAt
    }

    /// Visible ASCII characters RFC 3986 leaves out of URLs.
    static let outsideURLs = Set("\"<>\\^`{|}".utf8)

    /// Checks the URL: absolute http(s), with a host — and, when the host is written as an address, one the
    /// policy lets webhooks go to. A host name is checked on every delivery, against what it then resolves to.
    public static func validate(url: String, policy: WebhookAddressPolicy) throws(ValidationFailure) {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
            ["http", "https"].contains(scheme),
            let host = parts.host, !host.isEmpty, url.count <= 2000, let target = WebhookTarget(url: url)
        else { throw ValidationFailure([FieldError("url", "must be an absolute http or https URL")]) }
        // As RFC 3986 writes a URL: spaces, quotes, angle brackets and other characters outside it are
        // percent-encoded, never taken as they are (and shown back in pages and deliveries).
        guard url.utf8.allSatisfy({ (0x21...0x7E).contains($0) && !Self.outsideURLs.contains($0) }) else {
            throw ValidationFailure([
                FieldError("url", "must be written as RFC 3986 says: percent-encode spaces, quotes and <>\\^`{|}")
            ])
        }
        if CardDataScan.containsCardData(url) { throw ValidationFailure([FieldError("url", CardDataScan.refusal)]) }
        // An address written with a root's dot (`127.0.0.1.`) is a name to resolvers, which may still lead to it:
        // it is judged as the address.
        let literal =
            target.literal ?? (target.host.hasSuffix(".") ? IPAddress(host: String(target.host.dropLast())) : nil)
        if let address = literal, let refusal = policy.refusal(for: address) {
            throw ValidationFailure([
                FieldError("url", "is refused: \(refusal); webhooks are only sent to public addresses")
            ])
        }
    }
}

/// One attempt-tracked message to one webhook.
public struct WebhookDelivery: Sendable, Equatable, Codable {
    /// `cancelled`: its webhook was deleted before it could be delivered.
    public enum Status: String, Sendable, Codable, CaseIterable { case pending, delivered, failed, cancelled }

    public var id: UUID
    public var webhookID: UUID
    public var eventType: String
    public var payload: String
    public var status: Status
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastStatusCode: Int?
    public var lastError: String?
    public var createdAt: Date
    public var deliveredAt: Date?

    public init(id: UUID, webhookID: UUID, eventType: String, payload: String, createdAt: Date) {
        self.id = id
        self.webhookID = webhookID
        self.eventType = eventType
        self.payload = payload
        status = .pending
        attempts = 0
        nextAttemptAt = createdAt
        self.createdAt = createdAt
    }
}

/// Retries with exponential backoff: 30 s, 1 min, 2 min, … capped at one hour, for 24 hours.
public enum RetrySchedule {
    public static let horizon: TimeInterval = 24 * 3600

    /// When to try again after `attempts` failures, or nil once the horizon has passed.
    public static func next(after attempts: Int, createdAt: Date, now: Date) -> Date? {
        let delay = min(30 * pow(2, Double(max(attempts - 1, 0))), 3600)
        let next = now.addingTimeInterval(delay)
        return next.timeIntervalSince(createdAt) <= horizon ? next : nil
    }
}
