import Foundation
import HTTPTypes
import Hummingbird
import PosGuardDomain
import PosGuardTestSupport
import Testing

/// The acknowledgement contract of `/agent/v1/events`: every event up to `acked_seq` is stored, refused or
/// given up as lost; numbers still awaited are named in `missing`.
@Suite("Agent acknowledgements")
struct AgentAcknowledgementTests {
    static func enrolled(_ api: APIHarness) async throws -> (Device, String) {
        let admin = try await api.token("admin@harbour.demo")
        let device = try await Device.enroll(
            try await AgentAPITests.berlinTerminal(api, admin), api: api, adminToken: admin)
        return (device, admin)
    }

    static func gapAlerts(_ api: APIHarness, _ device: Device, _ token: String) async throws -> [String] {
        try await api.call(.get, "/api/v1/alerts?terminal_id=\(device.terminalID)&rule=event_gap", token: token)
            .items.compactMap { $0["message"] as? String }
    }

    static func storedSeqs(_ api: APIHarness, _ device: Device, _ token: String) async throws -> [Int] {
        try await api.call(.get, "/api/v1/terminals/\(device.terminalID)/events", token: token)
            .items.compactMap { $0["seq"] as? Int }
    }

    @Test func aRefusedEventFarAheadDoesNotMoveTheAcknowledgementNorSwallowTheNextEvent() async throws {
        try await APIHarness.run { api async throws in
            let (device, admin) = try await Self.enrolled(api)
            let first = try await device.send([(1, "heartbeat", "")])
            #expect(first.object["acked_seq"] as? Int == 1)
            let jump = try await device.send([(5_000_000_000, "teleport", "")])
            #expect(jump.status == .ok && jump.object["acked_seq"] as? Int == 1, "\(jump.text)")
            let refused = jump.object["refused"] as? [[String: Any]] ?? []
            #expect(refused.map { $0["seq"] as? Int } == [5_000_000_000])
            #expect((refused.first?["reason"] as? String)?.contains("more than 100000 past acked_seq 1") == true)
            #expect(try await Self.gapAlerts(api, device, admin).first?.contains("#5000000000") == true)

            let tamper = try await device.send([(2, "tamper", #""sensor":"case""#)])
            #expect(tamper.status == .ok && tamper.object["acked_seq"] as? Int == 2, "\(tamper.text)")
            #expect((tamper.object["refused"] as? [Any])?.isEmpty == true)
            #expect(try await Self.storedSeqs(api, device, admin) == [1, 2], "the tamper event is stored")
            let alerts = try await api.call(
                .get, "/api/v1/alerts?terminal_id=\(device.terminalID)&rule=tamper", token: admin)
            #expect(alerts.items.count == 1, "and judged")
        }
    }

    @Test func theAcknowledgementStopsBelowMissingEventsUntilTheyAreResent() async throws {
        try await APIHarness.run { api async throws in
            let (device, admin) = try await Self.enrolled(api)
            _ = try await device.send([(1, "heartbeat", ""), (2, "heartbeat", "")])
            let later = try await device.send([(5, "heartbeat", ""), (6, "heartbeat", "")])
            #expect(later.object["acked_seq"] as? Int == 2, "\(later.text)")
            #expect(later.object["missing"] as? [[Int]] == [[3, 4]])
            let resent = try await device.send([(3, "heartbeat", ""), (4, "heartbeat", ""), (5, "heartbeat", "")])
            #expect(resent.object["acked_seq"] as? Int == 6 && resent.object["missing"] as? [[Int]] == [])
            #expect(try await Self.storedSeqs(api, device, admin) == [1, 2, 3, 4, 5, 6], "each stored once")
            #expect(try await Self.gapAlerts(api, device, admin).isEmpty, "nothing was lost")
        }
    }

    @Test func anAgentDeclaresEventsItNoLongerHasLost() async throws {
        try await APIHarness.run { api async throws in
            let (device, admin) = try await Self.enrolled(api)
            _ = try await device.send([(1, "heartbeat", ""), (2, "heartbeat", "")])
            _ = try await device.send([(5, "heartbeat", ""), (6, "heartbeat", "")])
            let declared = try await device.send([(7, "gap", #""from":3,"to":4"#)])
            #expect(declared.object["acked_seq"] as? Int == 7 && declared.object["missing"] as? [[Int]] == [])
            #expect(
                try await Self.gapAlerts(api, device, admin) == [
                    "2 events #3–#4 lost on the terminal (declared by event #7)"
                ])
            let late = try await device.send([(3, "heartbeat", "")])
            #expect(late.object["acked_seq"] as? Int == 7)
            #expect(try await Self.storedSeqs(api, device, admin) == [1, 2, 5, 6, 7], "declared lost is settled")
            let wrong = try await device.send([(8, "gap", #""from":8,"to":9"#)])
            #expect((wrong.object["refused"] as? [[String: Any]])?.first?["seq"] as? Int == 8)
        }
    }

    @Test func missingEventsThatNeverArriveAreGivenUpAfterTheTerminalsSetting() async throws {
        try await APIHarness.run { api async throws in
            let (device, admin) = try await Self.enrolled(api)
            let setting = try await api.call(
                .put, "/api/v1/terminals/\(device.terminalID)/detection-settings", token: admin,
                json: #"{"event_gap_after_minutes":20}"#)
            #expect(setting.status == .ok, "\(setting.text)")
            _ = try await device.send([(1, "heartbeat", ""), (4, "heartbeat", "")])
            device.clock.advance(19 * 60)
            _ = try await device.send([(5, "heartbeat", "")])
            _ = try await api.tenant.app.silence.sweep()
            #expect(try await Self.gapAlerts(api, device, admin).isEmpty)
            device.clock.advance(61)
            #expect(try await api.tenant.app.silence.sweep() == 1)
            let fresh = try await api.token("admin@harbour.demo")
            #expect(
                try await Self.gapAlerts(api, device, fresh) == ["2 events #2–#3 never arrived within 20 minutes"])
            let next = try await device.send([(6, "heartbeat", "")])
            #expect(next.object["acked_seq"] as? Int == 6 && next.object["missing"] as? [[Int]] == [])
            let tooLong = try await api.call(
                .put, "/api/v1/terminals/\(device.terminalID)/detection-settings", token: fresh,
                json: #"{"event_gap_after_minutes":0}"#)
            #expect(tooLong.status == .unprocessableContent && tooLong.fieldErrors == ["event_gap_after_minutes"])
        }
    }

    @Test func aBatchThatIsNotUTF8IsRefusedWholeAndNothingStored() async throws {
        try await APIHarness.run { api async throws in
            let (device, admin) = try await Self.enrolled(api)
            let at = RFC3339.format(device.clock.now)
            let body =
                Array(#"{"events":[{"seq":1,"type":"heartbeat","at":"\#(at)"},"#.utf8)
                + Array(#"{"seq":2,"type":"tamper","at":"\#(at)","sensor":"ca"#.utf8) + [0xFF, 0xFE]
                + Array(#""}]}"#.utf8)
            let reply = try await device.send(bytes: body)
            #expect(reply.status == .badRequest && reply.fieldErrors == ["body"], "\(reply.text)")
            #expect(reply.string("detail")?.contains("not UTF-8") == true)
            #expect(try await Self.storedSeqs(api, device, admin).isEmpty)
            let valid = try await device.send([(1, "tamper", #""sensor":"cas\u00e9""#)])
            #expect(valid.object["acked_seq"] as? Int == 1)
            let stored = try await api.call(.get, "/api/v1/terminals/\(device.terminalID)/events", token: admin)
            #expect(!stored.text.contains("\u{FFFD}") && !stored.text.contains("\\ufffd"))
        }
    }
}

extension Device {
    /// Sends raw bytes to `/agent/v1/events`, signed.
    func send(bytes: [UInt8]) async throws -> APIHarness.Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        for (name, value) in signer.headers(
            terminal: terminalID, method: "POST", path: "/agent/v1/events", body: bytes, at: clock.now)
        {
            headers[HTTPField.Name(name)!] = value
        }
        let response = try await api.client.execute(
            uri: "/agent/v1/events", method: .post, headers: headers, body: ByteBuffer(bytes: bytes))
        return APIHarness.Reply(status: response.status, headers: response.headers, text: String(buffer: response.body))
    }
}
