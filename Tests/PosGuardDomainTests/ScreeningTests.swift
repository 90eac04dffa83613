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

    @Test func approvesAnActiveTerminalAtItsStore() {
        let decision = Screening.decide(request(), candidates: [profile]) { _ in false }
        #expect(decision == .approve(profile.terminalID), "on its premises, or no fix yet, is no reason to decline")
    }

    @Test func aTIDAndMIDTwoProvidersRegisteredIsJudgedByNeither() {
        var stolen = profile
        stolen.state = .stolen
        var foreign = profile
        foreign.terminalID = UUID()
        foreign.providerID = UUID()
        for candidates in [[stolen, foreign], [foreign, stolen]] {
            let decision = Screening.decide(request(), candidates: candidates) { _ in false }
            #expect(!decision.approve && decision.reasons == [.ambiguousTerminal] && decision.terminalID == nil)
        }
        // Another provider's terminal with the same TID but another MID changes nothing.
        foreign.mid = "OTHER"
        #expect(Screening.decide(request(), candidates: [foreign, stolen]) { _ in false }.reasons == [.stolen])
    }

    @Test func declinesByStateWithCode58() {
        let expected: [TerminalState: DeclineReason] = [
            .stolen: .stolen, .suspectedStolen: .suspectedStolen, .locked: .locked, .retired: .retired,
            .inventory: .notInService, .maintenance: .notInService, .recovered: .notInService,
        ]
        for (state, reason) in expected {
            var p = profile
            p.state = state
            let decision = Screening.decide(request(), candidates: [p]) { _ in false }
            #expect(decision.responseCode == "58" && decision.reasons == [reason] && !decision.approve, "\(state)")
        }
    }

    @Test func declinesAwayFromThePremisesOrOutsideHoursWhenTheStoreAsks() {
        let away = Screening.decide(request(), candidates: [profile]) { $0 == profile.terminalID }
        #expect(away.responseCode == "58" && away.reasons == [.outsideGeofence])
        var strict = profile
        strict.declineOutsideHours = true
        let night = monday.addingTimeInterval(10 * 3600)
        #expect(Screening.decide(request(at: night), candidates: [strict]) { _ in false }.reasons == [.outsideHours])
        #expect(Screening.decide(request(at: night), candidates: [profile]) { _ in false }.approve)
    }

    @Test func unknownTerminalsAndMerchantMismatchesAre03() {
        #expect(Screening.decide(request("NOPE"), candidates: []) { _ in false }.reasons == [.unknownTerminal])
        let mismatch = Screening.decide(request("PG000001", "OTHER"), candidates: [profile]) { _ in false }
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
