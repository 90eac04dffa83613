import HTTPTypes
import Testing

@testable import PosGuardWeb

@Suite("Agent headers")
struct AgentHeadersTests {
    /// What each header reads as, looked up one at a time as `HTTPFields` gives it.
    static func lookedUp(_ fields: HTTPFields) -> [String?] {
        [
            fields[.posGuardTerminal], fields[.posGuardTimestamp], fields[.posGuardSignature],
            fields[.posGuardForwardedBy], fields[.posGuardForwardedFor], fields[.posGuardForwardedSeal],
        ]
    }

    static func read(_ fields: HTTPFields) -> [String?] {
        let h = AgentHeaders(fields)
        return [h.terminal, h.timestamp, h.signature, h.forwardedBy, h.forwardedFor, h.forwardedSeal]
    }

    @Test func oneReadingGivesWhatEachLookupGives() throws {
        let name = { (text: String) in try #require(HTTPField.Name(text)) }
        let cases: [[(String, String)]] = [
            [],
            [("Host", "x"), ("Content-Type", "application/json")],
            [("PosGuard-Terminal", "t"), ("posguard-timestamp", "1"), ("POSGUARD-SIGNATURE", "s")],
            // Sent twice: both values, joined, so that neither passes for the other.
            [("PosGuard-Terminal", "a"), ("Accept", "*/*"), ("PosGuard-Terminal", "b")],
            [
                ("PosGuard-Forwarded-By", "i1"), ("PosGuard-Forwarded-For", "127.0.0.1"),
                ("PosGuard-Forwarded-Seal", "seal"), ("PosGuard-Signature", "s"),
            ],
        ]
        for fields in cases {
            var headers = HTTPFields()
            for (n, value) in fields { headers.append(HTTPField(name: try name(n), value: value)) }
            #expect(Self.read(headers) == Self.lookedUp(headers), "\(fields)")
        }
        var twice = HTTPFields()
        twice.append(HTTPField(name: .posGuardTerminal, value: "a"))
        twice.append(HTTPField(name: .posGuardTerminal, value: "b"))
        #expect(AgentHeaders(twice).terminal == "a, b")
    }
}
