import Foundation
import PosGuardDomain
import Testing

/// Which addresses a webhook may be sent to, decided from the text alone: nothing here resolves or connects.
@Suite("Webhook addresses")
struct WebhookAddressTests {
    typealias Kind = NonPublicAddress.Kind

    /// Host text as a URL carries it → the address a resolver reads in it (nil: a host name, not an address).
    static let hostForms: [(String, String?)] = [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("0X7F000001", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("00000000000000000000000177.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7f.0.0.0x1", "127.0.0.1"),
        ("10.0x10000", "10.1.0.0"),
        ("192.168.257", "192.168.1.1"),
        ("0", "0.0.0.0"),
        ("4294967295", "255.255.255.255"),
        ("169.254.169.254 and more", "169.254.169.254"),
        ("::1", "::1"),
        ("[::1]", "::1"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("::", "::"),
        ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
        ("::ffff:7f00:1", "::ffff:127.0.0.1"),
        ("::FFFF:7F00:0001", "::ffff:127.0.0.1"),
        ("::127.0.0.1", "::7f00:1"),
        ("fe80::1%eth0", "fe80::1"),
        ("[fe80::1%25eth0]", "fe80::1"),
        ("::1%lo", "::1"),
        ("2001:DB8::A", "2001:db8::a"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("64:ff9b::10.0.0.1", "64:ff9b::a00:1"),
        // Host names, and text no resolver reads as an address.
        ("hooks.example.com", nil),
        ("localhost", nil),
        ("127.0.0.1.", nil),
        ("256.0.0.1", nil),
        ("1.2.3.4.5", nil),
        ("08.0.0.1", nil),
        ("0x", nil),
        ("0x+1", nil),
        ("4294967296", nil),
        ("1.16777216", nil),
        (" 127.0.0.1", nil),
        ("", nil),
        ("١٢٧.0.0.1", nil),
        ("1::2::3", nil),
        ("12345::", nil),
        ("::g", nil),
        (":::1", nil),
        ("1:2:3:4:5:6:7:8:9", nil),
        ("1:2:3:4:5:6:7", nil),
        ("::ffff:1.2.3", nil),
        ("::ffff:127.0.0.01", nil),
        ("::+1", nil),
    ]

    @Test func hostTextIsReadLikeTheSystemResolverReadsIt() {
        for (host, expected) in Self.hostForms {
            #expect(IPAddress(host: host)?.description == expected, "\(host)")
        }
    }

    /// Address → why it is refused (nil: public), with the IPv4 address an IPv6 form carries.
    static let classes: [(String, Kind?, String?)] = [
        // IPv4, at the edges of each block.
        ("127.0.0.1", .loopback, nil), ("127.255.255.254", .loopback, nil),
        ("10.0.0.0", .privateNetwork, nil), ("10.255.255.255", .privateNetwork, nil),
        ("172.16.0.1", .privateNetwork, nil), ("172.31.255.255", .privateNetwork, nil), ("172.32.0.1", nil, nil),
        ("172.15.255.255", nil, nil), ("192.168.1.1", .privateNetwork, nil), ("192.169.0.1", nil, nil),
        ("169.254.169.254", .linkLocal, nil), ("169.255.0.1", nil, nil),
        ("100.64.0.1", .carrierGradeNAT, nil), ("100.127.255.255", .carrierGradeNAT, nil), ("100.128.0.1", nil, nil),
        ("100.63.255.255", nil, nil),
        ("0.0.0.0", .unspecified, nil), ("0.1.2.3", .reserved, nil), ("192.0.0.8", .reserved, nil),
        ("192.88.99.1", .reserved, nil), ("192.0.2.1", .documentation, nil), ("198.51.100.7", .documentation, nil),
        ("203.0.113.9", .documentation, nil), ("198.18.0.1", .benchmarking, nil), ("198.19.255.1", .benchmarking, nil),
        ("198.20.0.1", nil, nil), ("224.0.0.1", .multicast, nil), ("239.255.255.250", .multicast, nil),
        ("240.0.0.1", .reserved, nil), ("255.255.255.254", .reserved, nil), ("255.255.255.255", .broadcast, nil),
        ("8.8.8.8", nil, nil), ("1.1.1.1", nil, nil), ("93.184.215.14", nil, nil), ("223.255.255.255", nil, nil),
        // The same loopback address however it is written.
        ("2130706433", .loopback, nil), ("0x7f000001", .loopback, nil), ("0177.0.0.1", .loopback, nil),
        ("127.1", .loopback, nil), ("0", .unspecified, nil),
        // IPv6.
        ("::1", .loopback, nil), ("[::1]", .loopback, nil), ("::1%lo", .loopback, nil), ("::", .unspecified, nil),
        ("fc00::1", .uniqueLocal, nil), ("fd12:3456::1", .uniqueLocal, nil), ("fe80::1%eth0", .linkLocal, nil),
        ("[fe80::1%25eth0]", .linkLocal, nil), ("febf::1", .linkLocal, nil), ("fec0::1", .siteLocal, nil),
        ("ff02::1", .multicast, nil), ("ff0e::1", .multicast, nil), ("2001:db8::1", .documentation, nil),
        ("3fff::1", .documentation, nil), ("2001::1", .reserved, nil), ("2001:2::1", .benchmarking, nil),
        ("100::1", .reserved, nil), ("64:ff9b:1::1", .reserved, nil), ("4000::1", .reserved, nil),
        ("::ffff:0:127.0.0.1", .reserved, nil), ("2606:4700:4700::1111", nil, nil), ("2a00:1450:4001::1", nil, nil),
        // IPv6 forms that carry an IPv4 address are judged by it.
        ("::ffff:127.0.0.1", .loopback, "127.0.0.1"), ("[::ffff:7f00:1]", .loopback, "127.0.0.1"),
        ("::ffff:10.0.0.1", .privateNetwork, "10.0.0.1"), ("::ffff:169.254.169.254", .linkLocal, "169.254.169.254"),
        ("::ffff:8.8.8.8", nil, nil),
        ("::127.0.0.1", .loopback, "127.0.0.1"), ("::192.168.0.1", .privateNetwork, "192.168.0.1"),
        ("::8.8.8.8", .reserved, nil),
        ("64:ff9b::7f00:1", .loopback, "127.0.0.1"), ("64:ff9b::100.64.0.1", .carrierGradeNAT, "100.64.0.1"),
        ("64:ff9b::8.8.8.8", nil, nil),
        ("2002:7f00:1::1", .loopback, "127.0.0.1"), ("2002:c0a8:101::1", .privateNetwork, "192.168.1.1"),
        ("2002:a9fe:a9fe::", .linkLocal, "169.254.169.254"), ("2002:808:808::1", nil, nil),
    ]

    @Test func everyNonPublicBlockIsRecognised() throws {
        for (host, kind, embedded) in Self.classes {
            let address = try #require(IPAddress(host: host), "\(host)")
            let verdict = NonPublicAddress.classify(address)
            #expect(verdict?.kind == kind, "\(host)")
            #expect(verdict?.embedded?.description == embedded, "\(host)")
        }
    }

    @Test func refusalsSayWhatTheAddressIs() throws {
        #expect(
            NonPublicAddress.classify(try #require(IPAddress(host: "0x7f000001")))?.description
                == "127.0.0.1 is a loopback address")
        #expect(
            NonPublicAddress.classify(try #require(IPAddress(host: "::ffff:10.1.2.3")))?.description
                == "::ffff:10.1.2.3 carries 10.1.2.3, a private network address")
        #expect(
            NonPublicAddress.classify(try #require(IPAddress(host: "255.255.255.255")))?.description
                == "255.255.255.255 is the broadcast address")
    }

    @Test func networksAreReadStrictlyWithClearErrors() throws {
        #expect(try IPNetwork(cidr: "10.0.0.0/8").description == "10.0.0.0/8")
        #expect(try IPNetwork(cidr: "fd00::/8").description == "fd00::/8")
        #expect(try IPNetwork(cidr: "127.0.0.1").description == "127.0.0.1/32")
        #expect(try IPNetwork(cidr: "::1").description == "::1/128")
        #expect(try IPNetwork(cidr: "0.0.0.0/0").contains(try #require(IPAddress(host: "8.8.8.8"))))
        let errors: [(String, String)] = [
            ("10.0.0.1/8", "10.0.0.1/8 has bits set past its prefix: did you mean 10.0.0.0/8?"),
            ("fd00::1/8", "fd00::1/8 has bits set past its prefix: did you mean fd00::/8?"),
            ("10.0.0.0/33", "10.0.0.0/33 needs a prefix length between 0 and 32"),
            ("fd00::/129", "fd00::/129 needs a prefix length between 0 and 128"),
            ("10.0.0.0/", "10.0.0.0/ needs a prefix length between 0 and 32"),
            ("10.0.0.0/+8", "10.0.0.0/+8 needs a prefix length between 0 and 32"),
            ("10.0.0.0/-1", "10.0.0.0/-1 needs a prefix length between 0 and 32"),
            ("banana", "banana is not an IPv4 or IPv6 network such as 10.0.0.0/8 or fd00::/8"),
            ("010.0.0.0/8", "010.0.0.0/8 is not an IPv4 or IPv6 network such as 10.0.0.0/8 or fd00::/8"),
            ("10.1/16", "10.1/16 is not an IPv4 or IPv6 network such as 10.0.0.0/8 or fd00::/8"),
        ]
        for (text, message) in errors {
            #expect(throws: FieldError("cidr", message)) { try IPNetwork(cidr: text) }
        }
        let network = try IPNetwork(cidr: "172.16.0.0/12")
        #expect(network.contains(try #require(IPAddress(host: "172.31.255.255"))))
        #expect(!network.contains(try #require(IPAddress(host: "172.32.0.0"))))
        #expect(!network.contains(try #require(IPAddress(host: "::ffff:172.16.0.1"))), "families never mix")
    }

    @Test func anAllowListOpensOnlyItsOwnNetworks() throws {
        let policy = WebhookAddressPolicy(allowing: [
            try IPNetwork(cidr: "127.0.0.0/8"), try IPNetwork(cidr: "fd00::/8"),
        ])
        func refused(_ host: String) throws -> Bool { policy.refusal(for: try #require(IPAddress(host: host))) != nil }
        #expect(try !refused("127.0.0.1") && !refused("0x7f000002") && !refused("::ffff:127.0.0.1"))
        #expect(try !refused("fd00::1") && !refused("8.8.8.8"))
        #expect(try refused("::1") && refused("10.0.0.1") && refused("fc00::1") && refused("fe80::1"))
        #expect(try refused("64:ff9b::7f00:1"), "a NAT64 gateway's idea of 127.0.0.1 is not this host")
    }

    @Test func subscriptionsToAddressesInRefusedRangesAreRefused() throws {
        let none = WebhookAddressPolicy()
        let refused = [
            "http://127.0.0.1:8080/hook", "http://[::1]:8080/", "http://0x7f000001/", "http://2130706433/",
            "http://0177.0.0.1/", "http://127.1/", "https://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/", "http://[::ffff:127.0.0.1]/", "http://[fc00::1]/", "HTTP://192.168.0.1:80/x",
            "http://100.64.0.1/", "http://[2002:7f00:1::1]/", "http://0/", "http://[fe80::1%25eth0]/",
            "http://127.0.0.1./", "http://0x7f.1./hook",
        ]
        for url in refused {
            #expect(throws: ValidationFailure.self, "\(url)") { try Webhook.validate(url: url, policy: none) }
            do {
                try Webhook.validate(url: url, policy: none)
            } catch {
                #expect(error.errors.map(\.field) == ["url"] && error.errors[0].message.contains("refused"), "\(url)")
            }
        }
        #expect(throws: ValidationFailure([FieldError("url", "must be an absolute http or https URL")])) {
            try Webhook.validate(url: "ftp://8.8.8.8/", policy: none)
        }
        for url in [
            #"https://hook.example.com/"><img src=x onerror=alert(1)>"#, "https://hook.example.com/a b",
            "https://hook.example.com/é",
        ] {
            #expect(throws: ValidationFailure.self, "\(url)") { try Webhook.validate(url: url, policy: none) }
        }
        for url in ["https://hooks.example.com/posguard", "http://8.8.8.8/hook", "http://localhost:9/x"] {
            #expect(throws: Never.self, "\(url)") { try Webhook.validate(url: url, policy: none) }
        }
        let loopback = WebhookAddressPolicy(allowing: [try IPNetwork(cidr: "127.0.0.0/8")])
        #expect(throws: Never.self) { try Webhook.validate(url: "http://127.0.0.1:8080/hook", policy: loopback) }
        #expect(throws: ValidationFailure.self) { try Webhook.validate(url: "http://[::1]:8080/", policy: loopback) }
    }

    @Test func theTargetIsReadAsTheHTTPClientReadsIt() throws {
        let v6 = try #require(WebhookTarget(url: "http://[::1]:8080/hook"))
        #expect(v6.host == "::1" && v6.port == 8080 && !v6.secure && v6.literal == .v6(1))
        let named = try #require(WebhookTarget(url: "HTTPS://hooks.example.com/x?y=1"))
        #expect(named.host == "hooks.example.com" && named.port == 443 && named.secure && named.literal == nil)
        #expect(WebhookTarget(url: "http://0x7f000001/")?.literal?.description == "127.0.0.1")
        #expect(WebhookTarget(url: "ftp://example.com/") == nil && WebhookTarget(url: "http:///x") == nil)
    }
}
