import Foundation

/// Which address a request came from, when it may have passed through reverse proxies (a load balancer, a
/// TLS terminator). `X-Forwarded-For` is anyone's to write, so it is believed only as far as it was added
/// by proxies the operator named: read from the right, the first address that is not one of those proxies
/// is the client. From a peer that is not a trusted proxy the header is ignored altogether.
public enum ClientAddress {
    /// The client's address. `forwardedFor` holds the header's values in the order they arrived.
    public static func resolve(peer: String?, forwardedFor: [String], trustedProxies: [IPNetwork]) -> String? {
        guard let peer, isTrusted(peer, trustedProxies) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        var client = peer
        for hop in hops.reversed() {
            // A hop that is not an address is not what a proxy we trust writes: stop at the last one we can vouch for.
            guard IPAddress(canonical: hop) != nil else { return client }
            client = hop
            if !isTrusted(hop, trustedProxies) { return hop }
        }
        return client
    }

    static func isTrusted(_ address: String, _ proxies: [IPNetwork]) -> Bool {
        guard let parsed = IPAddress(canonical: address) else { return false }
        return proxies.contains { $0.contains(parsed) }
    }
}
