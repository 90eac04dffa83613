/// An address that is not a host on the public internet — this machine, its local networks, or space set
/// aside for special uses (IANA's IPv4 and IPv6 special-purpose registries). PosGuard refuses to send
/// webhooks there, so a subscriber cannot make the server reach what only it can reach.
public struct NonPublicAddress: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case unspecified, loopback, linkLocal, privateNetwork, uniqueLocal, siteLocal, multicast, broadcast
        case carrierGradeNAT, benchmarking, documentation, reserved

        /// How the kind reads after "is": "a loopback address".
        public var phrase: String {
            switch self {
            case .unspecified: "an unspecified address"
            case .loopback: "a loopback address"
            case .linkLocal: "a link-local address"
            case .privateNetwork: "a private network address"
            case .uniqueLocal: "a unique-local address"
            case .siteLocal: "a site-local address"
            case .multicast: "a multicast address"
            case .broadcast: "the broadcast address"
            case .carrierGradeNAT: "a carrier-grade NAT address"
            case .benchmarking: "a benchmarking address"
            case .documentation: "a documentation address"
            case .reserved: "a reserved address"
            }
        }
    }

    public var address: IPAddress
    public var kind: Kind
    /// For an IPv6 address that carries an IPv4 one (mapped, compatible, NAT64, 6to4): the IPv4 address that
    /// decided.
    public var embedded: IPAddress?

    public var description: String {
        if let embedded { return "\(address) carries \(embedded), \(kind.phrase)" }
        return "\(address) is \(kind.phrase)"
    }

    /// Why the address is not public, or nil when it is. Pure arithmetic: nothing is looked up or connected to.
    public static func classify(_ address: IPAddress) -> NonPublicAddress? {
        switch address {
        case .v4(let value):
            return v4Ranges.first { $0.0.contains(address) }.map { NonPublicAddress(address: .v4(value), kind: $0.1) }
        case .v6(let value):
            // Before the IPv4-compatible block they sit in: these two carry nothing.
            if value == 0 { return NonPublicAddress(address: address, kind: .unspecified) }
            if value == 1 { return NonPublicAddress(address: address, kind: .loopback) }
            for (network, carried) in carriers where network.contains(address) {
                let inner = IPAddress.v4(UInt32(truncatingIfNeeded: value >> UInt128(carried)))
                if let refused = classify(inner) {
                    return NonPublicAddress(address: address, kind: refused.kind, embedded: inner)
                }
                // The deprecated IPv4-compatible form has no use left, whatever it carries.
                if network.prefixLength == 96, network.address == .v6(0) {
                    return NonPublicAddress(address: address, kind: .reserved)
                }
                return nil
            }
            if let kind = v6Ranges.first(where: { $0.0.contains(address) })?.1 {
                return NonPublicAddress(address: address, kind: kind)
            }
            // Only 2000::/3 is handed out for global unicast; everything else is unassigned or special.
            return network("2000::/3").contains(address) ? nil : NonPublicAddress(address: address, kind: .reserved)
        }
    }

    static func ranges(_ table: [(String, Kind)]) -> [(IPNetwork, Kind)] { table.map { (network($0.0), $0.1) } }

    static func network(_ cidr: String) -> IPNetwork {
        // The tables below are literals checked by the tests; a typo there is a programming error.
        try! IPNetwork(cidr: cidr)
    }

    /// The first match decides, so a narrower block comes before the wider one it sits in.
    static let v4Ranges: [(IPNetwork, Kind)] = ranges([
        ("0.0.0.0/32", .unspecified), ("0.0.0.0/8", .reserved), ("10.0.0.0/8", .privateNetwork),
        ("100.64.0.0/10", .carrierGradeNAT), ("127.0.0.0/8", .loopback), ("169.254.0.0/16", .linkLocal),
        ("172.16.0.0/12", .privateNetwork), ("192.0.0.0/24", .reserved), ("192.0.2.0/24", .documentation),
        ("192.88.99.0/24", .reserved), ("192.168.0.0/16", .privateNetwork), ("198.18.0.0/15", .benchmarking),
        ("198.51.100.0/24", .documentation), ("203.0.113.0/24", .documentation), ("224.0.0.0/4", .multicast),
        ("255.255.255.255/32", .broadcast), ("240.0.0.0/4", .reserved),
    ])

    static let v6Ranges: [(IPNetwork, Kind)] = ranges([
        ("64:ff9b:1::/48", .reserved), ("100::/64", .reserved),
        ("2001:2::/48", .benchmarking), ("2001:db8::/32", .documentation), ("2001::/23", .reserved),
        ("3fff::/20", .documentation), ("fc00::/7", .uniqueLocal), ("fe80::/10", .linkLocal),
        ("fec0::/10", .siteLocal), ("ff00::/8", .multicast),
    ])

    /// IPv6 blocks that carry an IPv4 address, and how far it is shifted from the low end: IPv4-mapped
    /// (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:aabb:ccdd::/48) and IPv4-compatible
    /// (::a.b.c.d).
    static let carriers: [(IPNetwork, Int)] = [
        (network("::ffff:0:0/96"), 0), (network("64:ff9b::/96"), 0), (network("2002::/16"), 80),
        (network("::/96"), 0),
    ]
}
