import Foundation
import PosGuardDomain
import Testing

@Suite("Screening")
struct ScreeningTests {
    let profile = ScreeningProfile(
        terminalID: UUID(), providerID: UUID(), merchantID: UUID(), storeID: UUID(), tid: "PG000001", mid: "HPM1",
        state: .active, geofence: Geofence(latitude: 52.5010, longitude: 13.4190, radiusM: 150),
        hours: try! BusinessHours.parse(["mon": ["06:30-18:30"]]), timeZone: TimeZone(identifier: "Europe/Berlin")!,
        declineOutsideHours: false)
    /// Monday 2026-11-23 10:00 in Berlin.
    let monday = Date(timeIntervalSince1970: 1_795_424_400)

    func request(_ tid: String = "PG000001", _ mid: String = "HPM1", at: Date? = nil) -> ScreeningRequest {
        ScreeningRequest(tid: tid, mid: mid, amountMinor: 1250, currency: "EUR", at: at ?? monday)
    }

    func fix(_ lat: Double, accuracy: Double = 10) -> Fix {
        Fix(latitude: lat, longitude: 13.4190, accuracyM: accuracy, source: .gps, at: monday)
    }

    @Test func approvesAnActiveTerminalAtItsStore() {
        let decision = Screening.decide(request(), candidates: [profile]) { _ in fix(52.5011) }
        #expect(decision == .approve(profile.terminalID))
        #expect(
            Screening.decide(request(), candidates: [profile]) { _ in nil }.approve,
            "no fix yet is no reason to decline")
    }

    @Test func declinesByStateWithCode58() {
        let expected: [TerminalState: DeclineReason] = [
            .stolen: .stolen, .suspectedStolen: .suspectedStolen, .locked: .locked, .retired: .retired,
            .inventory: .notInService, .maintenance: .notInService, .recovered: .notInService,
        ]
        for (state, reason) in expected {
            var p = profile
            p.state = state
            let decision = Screening.decide(request(), candidates: [p]) { _ in nil }
            #expect(decision.responseCode == "58" && decision.reasons == [reason] && !decision.approve, "\(state)")
        }
    }

    @Test func declinesAwayFromThePremisesOrOutsideHoursWhenTheStoreAsks() {
        let away = Screening.decide(request(), candidates: [profile]) { _ in fix(52.52) }
        #expect(away.responseCode == "58" && away.reasons == [.outsideGeofence])
        let vague = Screening.decide(request(), candidates: [profile]) { _ in fix(52.5040, accuracy: 500) }
        #expect(vague.approve, "a fix that might be at the counter does not decline")
        var strict = profile
        strict.declineOutsideHours = true
        let night = monday.addingTimeInterval(10 * 3600)
        #expect(Screening.decide(request(at: night), candidates: [strict]) { _ in nil }.reasons == [.outsideHours])
        #expect(Screening.decide(request(at: night), candidates: [profile]) { _ in nil }.approve)
    }

    @Test func unknownTerminalsAndMerchantMismatchesAre03() {
        #expect(Screening.decide(request("NOPE"), candidates: []) { _ in nil }.reasons == [.unknownTerminal])
        let mismatch = Screening.decide(request("PG000001", "OTHER"), candidates: [profile]) { _ in nil }
        #expect(mismatch.responseCode == "03" && mismatch.reasons == [.merchantMismatch])
    }

    @Test func cardNumbersAreMasked() {
        #expect(MaskedPAN.mask("4761739001010119") == "476173******0119")
        // Short numbers keep at least six digits hidden: fewer leading digits, never a guessable remainder.
        #expect(MaskedPAN.mask("476173900101") == "47******0101")
        #expect(MaskedPAN.mask("378282246310005") == "37828******0005")
        #expect(MaskedPAN.mask("6304000000000000018") == "630400*********0018")
        #expect(MaskedPAN.mask("4761 7390") == nil && MaskedPAN.mask("12345") == nil)
    }
}
