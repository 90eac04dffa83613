import Foundation
import PosGuardDomain
import PosGuardTestSupport
import Testing

/// Evasions a thief would try through the agent protocol itself, caught where the answer and the alerts show it.
/// The harness clock starts on a Wednesday at 12:06 in Berlin, while the demo bakery (radius 150 m) is open.
@Suite("Evasions through the agent protocol")
struct EvasionAPITests {
    func rules(_ api: APIHarness, _ device: Device, token: String) async throws -> [String] {
        try await api.all("/api/v1/alerts?terminal_id=\(device.terminalID)", token: token)
            .compactMap { $0["rule"] as? String }.sorted()
    }

    /// The Berlin bakery's terminal enrolled, and the provider admin's token.
    func enrolled(_ api: APIHarness) async throws -> (Device, String) {
        let admin = try await api.token("admin@harbour.demo")
        let device = try await Device.enroll(
            try await AgentAPITests.berlinTerminal(api, admin), api: api, adminToken: admin)
        return (device, admin)
    }

    func event(_ seq: Int, _ type: String, at: Date, _ fields: String) -> String {
        #"{"seq":\#(seq),"type":"\#(type)","at":"\#(RFC3339.format(at))",\#(fields)}"#
    }

    static let sale = #""kind":"sale","amount_minor":12900,"currency":"EUR","approved":true,"pan_last4":"4242""#

    @Test func aSaleAfterClosingStampedInOpeningHoursIsJudgedWhenItArrived() async throws {
        try await APIHarness.run { api async throws in
            let (device, _) = try await enrolled(api)
            let noon = device.clock.now
            _ = try await device.send([(1, "heartbeat", "")])
            device.clock.advance(12 * 3600)  // past midnight, the bakery closed
            _ = try await device.send([(2, "heartbeat", #""network":"lte""#)])
            let reply = try await device.send(body: #"{"events":[\#(event(3, "transaction", at: noon, Self.sale))]}"#)
            #expect(reply.status == .ok && reply.object["acked_seq"] as? Int == 3)
            let fresh = try await api.token("admin@harbour.demo")
            #expect(try await rules(api, device, token: fresh) == ["after_hours_use", "clock_skew"])
            let events = try await api.call(.get, "/api/v1/terminals/\(device.terminalID)/events", token: fresh)
            #expect(
                events.items.last?["at"] as? String == RFC3339.format(noon),
                "the event is stored as the terminal sent it")
        }
    }

    @Test func eventsFromTheFutureAreRefusedAndTellOfTheClock() async throws {
        try await APIHarness.run { api async throws in
            let (device, admin) = try await enrolled(api)
            let now = device.clock.now
            let reply = try await device.send(
                body:
                    #"{"events":[\#(event(1, "heartbeat", at: now, #""battery":90"#)),\#(event(2, "transaction", at: now.addingTimeInterval(3 * 86_400), Self.sale))]}"#
            )
            let refused = reply.object["refused"] as? [[String: Any]] ?? []
            #expect(reply.status == .ok && reply.object["acked_seq"] as? Int == 2)
            #expect(refused.count == 1 && refused.first?["seq"] as? Int == 2)
            #expect((refused.first?["reason"] as? String)?.hasPrefix("at is in the future") == true)
            #expect(try await rules(api, device, token: admin) == ["clock_skew"])
            let events = try await api.call(.get, "/api/v1/terminals/\(device.terminalID)/events", token: admin)
            #expect(events.items.map { $0["seq"] as? Int } == [1], "nothing of the refused event is stored")
        }
    }

    @Test func aSIMTakenOutIsReportedAndABadICCIDIsStillRefused() async throws {
        try await APIHarness.run { api async throws in
            let (device, admin) = try await enrolled(api)
            let extra = try await device.send(body: #"{"events":[],"note":"hello"}"#)
            #expect(extra.status == .unprocessableContent && extra.text.contains("note"), "\(extra.text)")
            let registered = try await api.call(.get, "/api/v1/terminals/\(device.terminalID)", token: admin)
            let iccid = registered.string("iccid") ?? "8949000000000000042"
            let reply = try await device.send([
                (1, "sim", #""iccid":"\#(iccid)""#), (2, "sim", ""), (3, "sim", #""iccid":"12345""#),
            ])
            let refused = reply.object["refused"] as? [[String: Any]] ?? []
            #expect(refused.first?["seq"] as? Int == 3)
            #expect((refused.first?["reason"] as? String)?.hasPrefix("iccid must be 18 to 22 digits") == true)
            let alerts = try await api.all("/api/v1/alerts?terminal_id=\(device.terminalID)", token: admin)
            #expect(alerts.map { $0["rule"] as? String } == ["sim_removed"])
            #expect(alerts.first?["severity"] as? String == "warning", "while the store is open: the policy's severity")
        }
    }

    @Test func carriedOutAndSilentIsContainedWithinMinutes() async throws {
        try await APIHarness.run { api async throws in
            let (device, admin) = try await enrolled(api)
            // One fix 670 m north of a 150 m geofence: outside, but not far enough to be a breach alone.
            let outside = #""lat":52.5070,"lon":13.4190,"accuracy_m":12,"source":"gps""#
            let first = try await device.send([(1, "location", AgentAPITests.inside), (2, "location", outside)])
            #expect((first.object["alerts"] as? [Any])?.isEmpty ?? true)
            device.clock.advance(2 * 60)
            #expect(try await api.tenant.app.silence.sweep() == 0, "two minutes of quiet is not yet silence")
            device.clock.advance(61)
            #expect(try await api.tenant.app.silence.sweep() == 1)
            let alerts = try await api.all("/api/v1/alerts?terminal_id=\(device.terminalID)", token: admin)
            #expect(alerts.map { $0["rule"] as? String } == ["silent_off_premises"])
            #expect(alerts.first?["severity"] as? String == "critical")
            let terminal = try await api.call(.get, "/api/v1/terminals/\(device.terminalID)", token: admin)
            #expect(terminal.string("state") == "suspected_stolen")
            let back = try await device.send([(3, "heartbeat", "")])
            let commands = back.object["commands"] as? [[String: Any]] ?? []
            #expect(commands.map { $0["type"] as? String } == ["lock"], "the lock waits for its next word")
        }
    }
}
