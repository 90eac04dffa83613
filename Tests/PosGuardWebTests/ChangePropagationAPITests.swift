import Foundation
import PosGuardDomain
import PosGuardServices
import Testing

/// Every write that changes what screening or detection judge by is seen by them when its answer arrives —
/// not after a restart, a reload or a moment's wait — whichever route made it.
@Suite("Changes reach screening and detection at once")
struct ChangePropagationAPITests {
    @Test func everyWriteRouteIsSeenByTheTimeItAnswers() async throws {
        try await APIHarness.run { api async throws in
            let app = api.tenant.app
            let token = try await api.token("admin@harbour.demo")
            let terminals = try await api.all("/api/v1/terminals?state=active", token: token, pageSize: 100)
            let first = try #require(terminals.first)
            let idText = try #require(first["id"] as? String)
            let id = try #require(UUID(uuidString: idText))
            let storeID = try #require(first["store_id"] as? String)
            let merchantID = try #require(first["merchant_id"] as? String)
            let store = try await api.call(.get, "/api/v1/stores/\(storeID)", token: token)
            let storeCode = try #require(store.string("code"))
            let mid = try #require(first["mid"] as? String)

            func decide(_ tid: String, at date: Date? = nil) -> ScreeningDecision {
                app.screening.decide(
                    ScreeningRequest(
                        tid: tid, mid: mid, amountMinor: 100, currency: "EUR", at: date ?? api.tenant.clock.now))
            }
            /// Detection's view of the terminal, read (and so cached) before each write.
            func context() async throws -> DetectionContext {
                try #require(try await app.memory.subject(id)).context
            }
            func expectOK(_ reply: APIHarness.Reply, _ what: String) {
                #expect((200..<300).contains(Int(reply.status.code)), "\(what): \(reply.status) \(reply.text)")
            }

            // Registering: the new TID is known to screening (not yet in service), no longer unknown.
            #expect(decide("NEWTID01").reasons == [.unknownTerminal])
            expectOK(
                try await api.call(
                    .post, "/api/v1/terminals", token: token,
                    json:
                        #"{"store_id":"\#(storeID)","make":"PAX","model":"A920","serial":"PROP-1","tid":"NEWTID01","mid":"\#(mid)"}"#
                ), "register")
            #expect(decide("NEWTID01").reasons == [.notInService])

            // Importing terminals already active: they take payments at once.
            expectOK(
                try await api.call(
                    .post, "/api/v1/terminals/import", token: token,
                    body:
                        "make,model,serial,tid,mid,store_code,state\nPAX,A920,PROP-2,NEWTID02,\(mid),\(storeCode),active\n",
                    contentType: "text/csv"), "import")
            #expect(decide("NEWTID02").approve)

            // Editing a terminal's TID: screening knows it by the new one only.
            let oldTID = try #require(first["tid"] as? String)
            expectOK(
                try await api.call(.patch, "/api/v1/terminals/\(id)", token: token, json: #"{"tid":"NEWTID03"}"#),
                "edit")
            #expect(decide("NEWTID03").approve)
            #expect(decide(oldTID).reasons == [.unknownTerminal])

            // The store's settings: declining outside business hours applies to the next payment.
            let night = Calendar(identifier: .gregorian).date(
                bySettingHour: 3, minute: 0, second: 0, of: api.tenant.clock.now)!
            let zone = try await context().timeZone
            let localNight = night.addingTimeInterval(-Double(zone.secondsFromGMT(for: night)))
            #expect(decide("NEWTID03", at: localNight).approve)
            expectOK(
                try await api.call(
                    .put, "/api/v1/stores/\(storeID)/detection-settings", token: token,
                    json: #"{"decline_outside_hours":true}"#), "store settings")
            #expect(decide("NEWTID03", at: localNight).reasons == [.outsideHours])
            #expect(try await context().settings.declineOutsideHours)

            // The merchant's and the terminal's settings reach detection.
            _ = try await context()
            expectOK(
                try await api.call(
                    .put, "/api/v1/merchants/\(merchantID)/detection-settings", token: token,
                    json: #"{"max_speed_kmh":120}"#), "merchant settings")
            #expect(try await context().settings.maxSpeedKmh == 120)
            expectOK(
                try await api.call(
                    .put, "/api/v1/terminals/\(id)/detection-settings", token: token,
                    json: #"{"max_speed_kmh":90}"#), "terminal settings")
            #expect(try await context().settings.maxSpeedKmh == 90)

            // The store itself: its geofence.
            _ = try await context()
            expectOK(
                try await api.call(
                    .patch, "/api/v1/stores/\(storeID)", token: token,
                    json: #"{"geofence":{"latitude":1.5,"longitude":2.5,"radius_m":321}}"#), "store")
            #expect(try await context().geofence == Geofence(latitude: 1.5, longitude: 2.5, radiusM: 321))

            // The roster, both ways.
            expectOK(
                try await api.call(
                    .put, "/api/v1/stores/\(storeID)/operators/op-77", token: token, json: #"{"name":"Night Shift"}"#),
                "roster add")
            #expect(try await context().roster.contains("op-77"))
            expectOK(
                try await api.call(.delete, "/api/v1/stores/\(storeID)/operators/op-77", token: token), "roster remove")
            #expect(try await !context().roster.contains("op-77"))

            // A lifecycle move: declined from the next payment on.
            expectOK(
                try await api.call(
                    .post, "/api/v1/terminals/\(id)/transitions", token: token,
                    json: #"{"to":"suspected_stolen","reason":"gone from the counter"}"#), "transition")
            #expect(decide("NEWTID03").reasons == [.suspectedStolen])
        }
    }
}
