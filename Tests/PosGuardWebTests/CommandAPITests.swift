import Foundation
import HTTPTypes
import PosGuardDomain
import PosGuardServices
import PosGuardTestSupport
import Testing

@Suite("Remote commands")
struct CommandAPITests {
    @Test func lockIsDeliveredOnceAcknowledgedAndTheRegistryFollows() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@kiez-baeckerei.demo")
            let manager = try await api.token("manager.berlin@kiez-baeckerei.demo")
            let terminal = try await AgentAPITests.berlinTerminal(api, try await api.token("admin@harbour.demo"))
            let id = try #require(terminal["id"] as? String)
            let lock =
                #"{"type":"lock","message":"Please return this terminal to Kiez Bäckerei","contact_phone":"+49 30 1234567"}"#

            let wipe = try await api.call(
                .post, "/api/v1/terminals/\(id)/commands", token: admin, json: #"{"type":"wipe_keys"}"#)
            #expect(wipe.status == .forbidden && wipe.problemType == "urn:posguard:problem:mfa-required")
            let tooLong = try await api.call(
                .post, "/api/v1/terminals/\(id)/commands", token: manager,
                json: #"{"type":"lock","message":"\#(String(repeating: "x", count: 351))"}"#)
            #expect(tooLong.status == .unprocessableContent && tooLong.fieldErrors == ["message"])
            let cashier = try await api.token("cashier.berlin@kiez-baeckerei.demo")
            #expect(
                try await api.call(.post, "/api/v1/terminals/\(id)/commands", token: cashier, json: lock).status
                    == .forbidden)
            let issued = try await api.call(.post, "/api/v1/terminals/\(id)/commands", token: manager, json: lock)
            #expect(issued.status == .created && issued.string("status") == "queued")
            let command = try #require(issued.string("id"))

            let device = try await Device.enroll(terminal, api: api, adminToken: admin)
            let first = try await device.send([(1, "heartbeat", "")])
            let delivered = first.object["commands"] as? [[String: Any]] ?? []
            #expect(delivered.map { $0["id"] as? String } == [command])
            #expect((delivered.first?["payload"] as? [String: String])?["contact_phone"] == "+49 30 1234567")
            #expect(
                (try await device.send([(2, "heartbeat", "")]).object["commands"] as? [Any])?.isEmpty == true,
                "never twice as new")
            api.tenant.clock.advance(TerminalCommand.redeliverAfter + 1)
            let again = try await device.send([(3, "heartbeat", "")])
            #expect(
                (again.object["commands"] as? [[String: Any]])?.first?["deliveries"] as? Int == 2,
                "sent again until acknowledged")

            let ackBody = #"{"status":"done","detail":"lost mode on"}"#
            let ack = try await device.signed("/agent/v1/commands/\(command)/ack", body: ackBody)
            #expect(ack.status == .ok && ack.string("status") == "done")
            #expect(try await api.call(.get, "/api/v1/terminals/\(id)", token: admin).string("state") == "locked")
            // The agent repeats its answer a moment later (the same request at the same second is a replay).
            api.tenant.clock.advance(1)
            #expect(
                try await device.signed("/agent/v1/commands/\(command)/ack", body: ackBody).status == .ok, "idempotent")
            #expect(
                try await device.signed("/agent/v1/commands/\(command)/ack", body: #"{"status":"failed"}"#).status
                    == .conflict)
            #expect(
                try await device.signed("/agent/v1/commands/\(UUID().uuidString)/ack", body: ackBody).status
                    == .notFound)
            #expect(
                try await api.call(.post, "/agent/v1/commands/\(command)/ack", json: ackBody).status == .unauthorized)
            #expect((try await device.send([(4, "heartbeat", "")]).object["commands"] as? [Any])?.isEmpty == true)

            let history = try await api.call(.get, "/api/v1/terminals/\(id)/history", token: admin)
            #expect(
                history.items.last?["actor"] as? String == "agent" && history.items.last?["to"] as? String == "locked")
            let listed = try await api.call(.get, "/api/v1/terminals/\(id)/commands", token: admin)
            #expect(
                listed.items.first?["acknowledged_at"] != nil
                    && listed.items.first?["detail"] as? String == "lost mode on")
        }
    }

    @Test func commandsExpireUndelivered() async throws {
        try await APIHarness.run { api async throws in
            let manager = try await api.token("manager.berlin@kiez-baeckerei.demo")
            let admin = try await api.token("admin@kiez-baeckerei.demo")
            let terminal = try await AgentAPITests.berlinTerminal(api, try await api.token("admin@harbour.demo"))
            let id = try #require(terminal["id"] as? String)
            _ = try await api.call(
                .post, "/api/v1/terminals/\(id)/commands", token: manager, json: #"{"type":"locate"}"#)
            let device = try await Device.enroll(terminal, api: api, adminToken: admin)
            api.tenant.clock.advance(TerminalCommand.lifetime + 1)
            #expect((try await device.send([(1, "heartbeat", "")]).object["commands"] as? [Any])?.isEmpty == true)
            let fresh = try await api.token("manager.berlin@kiez-baeckerei.demo")
            #expect(
                try await api.call(.get, "/api/v1/terminals/\(id)/commands", token: fresh).items.first?["status"]
                    as? String == "expired")
        }
    }
}
