import Foundation
import PosGuardDomain
import PosGuardTestSupport
import Testing

@Suite("Screening API")
struct ScreeningAPITests {
    @Test func theDeclineLogShowsTheMaskedCardAndNothingElseOfIt() async throws {
        try await APIHarness.run { api async throws in
            let admin = try await api.token("admin@harbour.demo")
            let stolen = try #require(try await api.all("/api/v1/terminals?state=stolen", token: admin).first)
            let tid = try #require(stolen["tid"] as? String)
            let mid = try #require(stolen["mid"] as? String)
            let screened = try await api.call(
                .post, "/api/v1/screen", token: admin,
                json: #"{"tid":"\#(tid)","mid":"\#(mid)","amount_minor":990,"currency":"EUR","pan":"4761739001010119"}"#
            )
            #expect(screened.string("response_code") == "58", "\(screened.text)")
            try await api.tenant.app.screening.flush()
            let declines = try await api.call(.get, "/api/v1/screening/declines", token: admin)
            let decline = try #require(declines.items.first)
            #expect(decline["pan_masked"] as? String == "476173******0119")
            #expect(decline["pan_hash"] == nil && !declines.text.contains("900101"))
            #expect(decline["suppressed"] as? Int == 0, "a decline written one by one counts no others")
            let document = try await api.call(.get, "/api/v1/openapi.json")
            #expect(document.status == .ok && !document.text.contains("pan_hash"))
        }
    }
}
