import Foundation

/// Where a webhook URL points — scheme, host and port — read exactly as the HTTP client reads the URL, so the
/// host that is checked is the host that would be connected to.
public struct WebhookTarget: Sendable, Equatable {
    public var secure: Bool
    /// The host as the client takes it: the URL's host with IPv6 brackets removed.
    public var host: String
    public var port: Int

    public init?(url: String) {
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https", var host = parsed.host, !host.isEmpty
        else { return nil }
        // As AsyncHTTPClient does on Linux: each bracket on its own.
        if host.hasPrefix("[") { host.removeFirst() }
        if host.hasSuffix("]") { host.removeLast() }
        guard !host.isEmpty else { return nil }
        secure = scheme == "https"
        self.host = host
        port = parsed.port ?? (secure ? 443 : 80)
    }

    /// The address when the host is written as one, in any form a resolver accepts; nil for a host name.
    public var literal: IPAddress? { IPAddress(host: host) }
}

/// Where webhooks may be sent: public addresses, plus the networks the operator allows for receivers on a
/// private network (`serve --webhook-allow`).
public struct WebhookAddressPolicy: Sendable, Equatable {
    public var allowed: [IPNetwork]

    public init(allowing allowed: [IPNetwork] = []) { self.allowed = allowed }

    /// Why sending to this address is refused, or nil when it may be sent to.
    public func refusal(for address: IPAddress) -> NonPublicAddress? {
        isAllowed(address) ? nil : NonPublicAddress.classify(address)
    }

    func isAllowed(_ address: IPAddress) -> Bool {
        // An IPv4-mapped IPv6 address reaches the very same IPv4 host, so an IPv4 allowance covers it.
        var forms = [address]
        if case .v6(let value) = address, value >> 32 == 0xffff { forms.append(.v4(UInt32(truncatingIfNeeded: value))) }
        return allowed.contains { network in forms.contains { network.contains($0) } }
    }
}
