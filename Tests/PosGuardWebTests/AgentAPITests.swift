import Foundation
import HTTPTypes
import PosGuardDomain
import PosGuardServices
import PosGuardTestSupport
import Testing

@testable import PosGuardServices

@Suite("Agent protocol")
struct AgentAPITests {
    /// An active terminal of the Berlin bakery, as the provider admin sees it.
    static func berlinTerminal(_ api: APIHarness, _ token: String) async throws -> [String: Any] {
        let stores = try await api.all("/api/v1/stores", token: token)
        let berlin = try #require(stores.first { $0["code"] as? String == "KB-BER-01" }?["id"] as? String)
        let terminals = try await api.all("/api/v1/terminals?store_id=\(berlin)&state=active", token: token)
        return try #require(terminals.first)
    }

    static let inside = #""lat":52.5011,"lon":13.4191,"accuracy_m":15,"source":"gps""#

    @Test func enrollThenSendSignedEvents() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let device = try await Device.enroll(try await Self.berlinTerminal(api, admin), api: api, adminToken: admin)
            let ack = try await device.send([
                (1, "heartbeat", #""battery":81,"charging":false"#), (2, "location", Self.inside),
            ])
            #expect(ack.status == .ok, "\(ack.text)")
            #expect(ack.object["acked_seq"] as? Int == 2 && (ack.object["refused"] as? [Any])?.isEmpty == true)
            let events = try await api.call(.get, "/api/v1/terminals/\(device.terminalID)/events", token: admin)
            #expect(events.items.map { $0["type"] as? String } == ["heartbeat", "location"])
            #expect(
                try await api.call(.get, "/api/v1/alerts?terminal_id=\(device.terminalID)", token: admin).items.isEmpty)
        }
    }

    @Test func aSwappedDeviceIsRefusedAndTheCodeBurnt() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let terminal = try await Self.berlinTerminal(api, admin)
            let id = try #require(terminal["id"] as? String)
            let code = try #require(
                try await api.call(.post, "/api/v1/terminals/\(id)/enrollment-code", token: admin).string("code"))
            let key = AgentSigner().publicKey
            let swapped = try await api.call(
                .post, "/agent/v1/enroll",
                json: #"{"code":"\#(code)","public_key":"\#(key)","serial":"CLONE-1","tid":"\#(terminal["tid"]!)"}"#)
            #expect(swapped.status == .forbidden && swapped.string("detail")?.contains("serial or TID") == true)
            let retry = try await api.call(
                .post, "/agent/v1/enroll",
                json:
                    #"{"code":"\#(code)","public_key":"\#(key)","serial":"\#(terminal["serial"]!)","tid":"\#(terminal["tid"]!)"}"#
            )
            #expect(retry.status == .forbidden, "the code was burnt by the refused attempt")
            let audit = try await api.call(.get, "/api/v1/audit?target_id=\(id)", token: admin)
            let refusal = try #require(audit.items.first { $0["action"] as? String == "terminal.enrollment_refused" })
            #expect((refusal["after"] as? String)?.contains("CLONE-1") == true)

            let badKey = try await api.call(
                .post, "/agent/v1/enroll", json: #"{"code":"X","public_key":"AAAA","serial":"s","tid":"t"}"#)
            #expect(badKey.status == .unprocessableContent && badKey.fieldErrors == ["public_key"])
        }
    }

    @Test func forgedExpiredReplayedUnsignedAndOversizedBatchesChangeNothing() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let device = try await Device.enroll(try await Self.berlinTerminal(api, admin), api: api, adminToken: admin)
            let body =
                #"{"events":[{"seq":1,"type":"tamper","at":"\#(RFC3339.format(device.clock.now))","sensor":"case"}]}"#

            let unsigned = try await api.call(.post, "/agent/v1/events", json: body)
            #expect(unsigned.status == .unauthorized)
            let forged = try await device.send(body: body) { headers in
                headers[HTTPField.Name("PosGuard-Signature")!] =
                    AgentSigner().headers(
                        terminal: device.terminalID, method: "POST", path: "/agent/v1/events", body: Array(body.utf8),
                        at: device.clock.now)[2].value
            }
            #expect(forged.status == .unauthorized && forged.string("detail")?.contains("signature") == true)
            let stale = try await device.send(body: body, at: device.clock.now.addingTimeInterval(-301))
            #expect(stale.status == .unauthorized && stale.string("detail")?.contains("300") == true)
            let altered = try await device.send(
                body: body.replacingOccurrences(of: "case", with: "lid"), tamper: { _ in })
            #expect(altered.status == .ok, "a correctly signed different body is fine")
            let original = try await device.send(body: body)
            #expect(original.status == .ok)

            // The very same signed request again: a replay.
            var replayHeaders: [(String, String)] = []
            let replayBody = #"{"events":[{"seq":9,"type":"heartbeat","at":"\#(RFC3339.format(device.clock.now))"}]}"#
            let first = try await device.send(body: replayBody) { headers in
                replayHeaders = headers.map { ($0.name.rawName, $0.value) }
            }
            #expect(first.status == .ok)
            let replay = try await device.send(body: replayBody) { headers in
                for (name, value) in replayHeaders { headers[HTTPField.Name(name)!] = value }
            }
            #expect(replay.status == .conflict && replay.string("detail")?.contains("replay") == true)

            let many = (1...1001).map {
                #"{"seq":\#($0 + 100),"type":"heartbeat","at":"\#(RFC3339.format(device.clock.now))"}"#
            }
            let tooMany = try await device.send(body: #"{"events":[\#(many.joined(separator: ","))]}"#)
            #expect(tooMany.status == .unprocessableContent && tooMany.fieldErrors == ["events"])
            let huge = try await device.send(body: #"{"events":[],"pad":"\#(String(repeating: "x", count: 1 << 20))"}"#)
            #expect(huge.status == .contentTooLarge)
            let notJSON = try await device.send(body: "events=1")
            #expect(notJSON.status == .unprocessableContent)

            let events = try await api.call(.get, "/api/v1/terminals/\(device.terminalID)/events", token: admin)
            #expect(events.items.map { $0["seq"] as? Int } == [1, 9], "only the accepted batches were stored")
        }
    }

    @Test func eventsCarryingCardDataAreRefusedAndNeverStoredOrServed() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let device = try await Device.enroll(try await Self.berlinTerminal(api, admin), api: api, adminToken: admin)
            let sale = #""kind":"sale","amount_minor":990,"currency":"EUR","approved":true"#
            let reply = try await device.send([
                (1, "transaction", sale + #","card_number":"4111111111111111""#),
                (2, "transaction", sale + #","PAN":"5500 0000 0000 0004""#),
                (3, "transaction", sale + #","track2":";4761739001010119=25121010000?""#),
                (4, "heartbeat", #""extra":{"note":[6304000000000000018]}"#),
                (5, "transaction", sale + #","pan_last4":"0119""#),
                (6, "sim", #""iccid":"8949000000000000000""#),
            ])
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.object["acked_seq"] as? Int == 6)
            let refused = reply.object["refused"] as? [[String: Any]] ?? []
            #expect(refused.map { $0["seq"] as? Int } == [1, 2, 3, 4])
            #expect(
                refused.compactMap { $0["reason"] as? String }.map { $0.prefix { $0 != " " } } == [
                    "card_number", "PAN", "track2", "extra.note[0]",
                ])
            for digits in ["4111111111", "5500 0000", "4761739001", "6304000000"] {
                #expect(!reply.text.contains(digits), "the refusal does not repeat the card number")
            }
            let events = try await api.call(.get, "/api/v1/terminals/\(device.terminalID)/events", token: admin)
            #expect(
                events.items.map { $0["seq"] as? Int } == [5, 6], "a sale with pan_last4 and a SIM number are kept")
            for digits in ["4111111111", "5500 0000", "4761739001", "6304000000"] {
                #expect(!events.text.contains(digits))
            }
        }
    }

    @Test func aReEncodedOrReSignedBatchIsNotProcessedTwice() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let device = try await Device.enroll(try await Self.berlinTerminal(api, admin), api: api, adminToken: admin)
            let body = #"{"events":[{"seq":1,"type":"heartbeat","at":"\#(RFC3339.format(device.clock.now))"}]}"#
            var sent: [(String, String)] = []
            let first = try await device.send(body: body) { headers in
                sent = headers.map { ($0.name.rawName, $0.value) }
            }
            #expect(first.status == .ok)
            let signatureHeader = HTTPField.Name("PosGuard-Signature")!
            let sentSignature = try #require(sent.first { $0.0 == signatureHeader.rawName }?.1)
            let signature = try #require(Data(base64Encoded: sentSignature))

            // The same request with (r, n − s): a valid ECDSA signature of the same bytes, but high-s.
            let malleated = try await device.send(body: body) { headers in
                for (name, value) in sent { headers[HTTPField.Name(name)!] = value }
                headers[signatureHeader] = LowS.twin(of: signature).base64EncodedString()
            }
            #expect(malleated.status == .unauthorized && malleated.string("detail")?.contains("low-s") == true)

            // A fresh signature over the very same message (same time, same body) is still the same request.
            let resigned = try await device.send(body: body)
            #expect(resigned.status == .conflict && resigned.string("detail")?.contains("replay") == true)
            let events = try await api.call(.get, "/api/v1/terminals/\(device.terminalID)/events", token: admin)
            #expect(events.items.count == 1)
        }
    }

    @Test func resentEventsAreIgnoredGapsAndBadEventsReported() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let device = try await Device.enroll(try await Self.berlinTerminal(api, admin), api: api, adminToken: admin)
            _ = try await device.send([(1, "heartbeat", ""), (2, "heartbeat", "")])
            let resent = try await device.send([(1, "heartbeat", ""), (2, "heartbeat", ""), (3, "heartbeat", "")])
            #expect(resent.object["acked_seq"] as? Int == 3)
            let mixed = try await device.send([
                (7, "teleport", ""), (8, "heartbeat", #""battery":200"#), (9, "heartbeat", ""),
            ])
            #expect(mixed.object["acked_seq"] as? Int == 9)
            let refused = mixed.object["refused"] as? [[String: Any]] ?? []
            #expect(refused.map { $0["seq"] as? Int } == [7, 8])
            #expect((refused.first?["reason"] as? String)?.hasPrefix("type teleport is unknown") == true)

            let events = try await api.call(.get, "/api/v1/terminals/\(device.terminalID)/events", token: admin)
            #expect(events.items.map { $0["seq"] as? Int } == [1, 2, 3, 9])
            let gaps = try await api.call(
                .get, "/api/v1/alerts?terminal_id=\(device.terminalID)&rule=event_gap", token: admin)
            #expect(gaps.items.count == 1 && (gaps.items.first?["message"] as? String) == "3 events missing before #7")
        }
    }
}
