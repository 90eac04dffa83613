import Foundation
import PosGuardDomain
import Testing

@Suite("Detection rules")
struct DetectionRulesTests {
    /// A bakery in Berlin-Kreuzberg, open 06:30–18:30 on weekdays (Europe/Berlin).
    let context = DetectionContext(
        geofence: Geofence(latitude: 52.5010, longitude: 13.4190, radiusM: 150),
        hours: try! BusinessHours.parse(["mon": ["06:30-18:30"], "tue": ["06:30-18:30"]]),
        timeZone: TimeZone(identifier: "Europe/Berlin")!, roster: ["op-1", "op-2"],
        registeredICCID: "8949000000000000001", settings: DetectionSettings())
    /// Monday 2026-11-23 10:00 in Berlin.
    let opening = Date(timeIntervalSince1970: 1_795_424_400)
    var seq: Int64 = 0

    mutating func event(_ body: AgentEvent.Body, after seconds: TimeInterval) -> AgentEvent {
        seq += 1
        return AgentEvent(seq: seq, at: opening.addingTimeInterval(seconds), body: body)
    }

    func fix(_ lat: Double, _ lon: Double, accuracy: Double, at seconds: TimeInterval) -> AgentEvent.Body {
        .location(
            Fix(
                latitude: lat, longitude: lon, accuracyM: accuracy, source: .gps,
                at: opening.addingTimeInterval(seconds)))
    }

    mutating func run(_ events: [(AgentEvent.Body, TimeInterval)], watch: inout TerminalWatch) -> [Finding] {
        var findings: [Finding] = []
        for (body, t) in events {
            let e = event(body, after: t)
            findings += DetectionRules.judge(e, watch: &watch, context: context)
        }
        return findings
    }

    @Test mutating func gpsDriftInsideTheShopRaisesNothing() {
        var watch = TerminalWatch()
        // A recorded-style track: noisy fixes scattered up to ~120 m around the shop, some with poor accuracy.
        var random = SplitMix(seed: 42)
        var track: [(AgentEvent.Body, TimeInterval)] = []
        for i in 0..<500 {
            let metres = random.unit() * 120
            let bearing = random.unit() * 2 * .pi
            let lat = 52.5010 + metres * cos(bearing) / 111_320
            let lon = 13.4190 + metres * sin(bearing) / (111_320 * cos(52.501 * .pi / 180))
            let accuracy = i % 25 == 0 ? 2_500 : 5 + random.unit() * 40
            track.append((fix(lat, lon, accuracy: accuracy, at: Double(i) * 30), Double(i) * 30))
        }
        #expect(run(track, watch: &watch).isEmpty)
        #expect(!watch.isOffPremises)
    }

    @Test mutating func grabAndRunBreachesTheGeofenceAfterThreeFixesOnce() {
        var watch = TerminalWatch()
        var away: [(AgentEvent.Body, TimeInterval)] = []
        for i in 0..<6 {
            let t = Double(i) * 20
            let lat = 52.5010 + Double(i + 1) * 0.004
            away.append((fix(lat, 13.4190, accuracy: 20, at: t), t))
        }
        let findings = run(away, watch: &watch)
        #expect(findings.map(\.rule) == [.geofenceBreach])
        #expect(findings.first?.evidence == [1, 2, 3] && findings.first?.severity == .critical)
        #expect(watch.isOffPremises)
    }

    @Test mutating func aFixWhoseUncertaintyReachesTheShopDoesNotCount() {
        var watch = TerminalWatch()
        // 400 m away but ±300 m: it might be at the counter.
        var vague: [(AgentEvent.Body, TimeInterval)] = []
        for i in 0..<5 {
            let t = Double(i) * 60
            vague.append((fix(52.5046, 13.4190, accuracy: 300, at: t), t))
        }
        #expect(run(vague, watch: &watch).isEmpty)
    }

    @Test mutating func impossibleTravelAllowsForAccuracy() {
        var watch = TerminalWatch()
        // 30 km in 60 s is 1800 km/h, even after subtracting both accuracies.
        let jump = run(
            [(fix(52.5010, 13.4190, accuracy: 10, at: 0), 0), (fix(52.7710, 13.4190, accuracy: 50, at: 60), 60)],
            watch: &watch)
        #expect(jump.map(\.rule).contains(.impossibleTravel))
        var calm = TerminalWatch()
        // 1 km in 60 s with ±1 km accuracy could be no movement at all.
        let fuzzy = run(
            [(fix(52.5010, 13.4190, accuracy: 10, at: 0), 0), (fix(52.5100, 13.4190, accuracy: 1000, at: 60), 60)],
            watch: &calm)
        #expect(!fuzzy.map(\.rule).contains(.impossibleTravel))
    }

    @Test mutating func tamperAndSimSwapAreCritical() {
        var watch = TerminalWatch()
        let findings = run(
            [
                (.sim(iccid: "8949000000000000001"), 0), (.tamper(sensor: "case_open"), 10),
                (.sim(iccid: "8949000000000000999"), 20), (.sim(iccid: "8949000000000000999"), 30),
            ], watch: &watch)
        #expect(findings.map(\.rule) == [.tamper, .simSwap])
        #expect(findings.allSatisfy { $0.severity == .critical })
        #expect(findings.last?.message.contains("0999") == true && findings.last?.message.contains("89490000") == false)
    }

    @Test mutating func afterHoursUseIsJudgedOnTheStoresClock() {
        var watch = TerminalWatch()
        let sale = AgentEvent.Body.transaction(
            .sale, amountMinor: 450, currency: "EUR", approved: true, panLast4: "4242")
        // 10:00 is open; 19:00 Berlin is closed; Wednesday has no hours at all.
        let findings = run(
            [(sale, 0), (sale, 9 * 3600), (.login(operatorID: "op-1", method: .pin, success: true), 48 * 3600)],
            watch: &watch)
        #expect(findings.map(\.rule) == [.afterHoursUse, .afterHoursUse])
    }

    @Test mutating func failedLoginBurstAndUnknownOperator() {
        var watch = TerminalWatch()
        let fail = AgentEvent.Body.login(operatorID: "op-1", method: .pin, success: false)
        let spread = run((0..<5).map { (fail, Double($0) * 120) }, watch: &watch)
        #expect(spread.isEmpty, "five failures over eight minutes are not a burst")
        let burst = run((0..<5).map { (fail, 1000 + Double($0) * 30) }, watch: &watch)
        #expect(burst.map(\.rule) == [.failedLoginBurst])
        #expect(
            run([(.login(operatorID: "intruder", method: .pin, success: true), 2000)], watch: &watch).map(\.rule)
                == [.unknownOperator])
    }

    @Test mutating func refundBurstAndLimit() {
        var watch = TerminalWatch()
        func refund(_ amount: Int64) -> AgentEvent.Body {
            .transaction(.refund, amountMinor: amount, currency: "EUR", approved: true, panLast4: nil)
        }
        #expect(run([(refund(1000), 0), (refund(1000), 1200)], watch: &watch).isEmpty)
        #expect(
            run([(refund(1000), 1300), (refund(1000), 1400), (refund(1000), 1500)], watch: &watch).map(\.rule) == [
                .refundBurst, .refundBurst,
            ])
        var big = TerminalWatch()
        #expect(run([(refund(60_000), 0), (refund(50_000), 7200)], watch: &big).map(\.rule) == [.refundLimit])
    }

    @Test mutating func theStoresRefundLimitCountsEveryTerminalOfTheStore() throws {
        func refund(_ amount: Int64, approved: Bool = true) -> AgentEvent.Body {
            .transaction(.refund, amountMinor: amount, currency: "EUR", approved: approved, panLast4: nil)
        }
        let (till1, till2) = (UUID(), UUID())
        var store = StoreWatch()
        var watches = [till1: TerminalWatch(), till2: TerminalWatch()]
        func judge(_ body: AgentEvent.Body, on till: UUID, after seconds: TimeInterval) -> [Finding] {
            let e = event(body, after: seconds)
            return DetectionRules.judge(e, of: till, watch: &watches[till]!, store: &store, context: context)
        }
        // 40,000 + 40,000 on one till and 30,000 on the other: each till stays under 100,000, the store does not.
        #expect(judge(refund(40_000), on: till1, after: 0).isEmpty)
        #expect(judge(refund(90_000, approved: false), on: till2, after: 1800).isEmpty, "declined refunds cost nothing")
        #expect(judge(refund(30_000), on: till2, after: 3600).isEmpty)
        let over = judge(refund(40_000), on: till1, after: 7200)
        #expect(over.map(\.rule) == [.refundLimit])
        let finding = try #require(over.first)
        #expect(
            finding.severity == .critical && finding.evidence == [1, 4], "this till's own refunds are the evidence")
        #expect(finding.message.contains("110000 EUR") && finding.message.contains("on 2 terminals"))

        // A day later the old refunds no longer count.
        #expect(judge(refund(1_000), on: till2, after: 7200 + 86_400).isEmpty)
        #expect(store.refunds.count == 1)
    }

    @Test mutating func oneRefundRaisesOneLimitFindingAndATerminalsOwnLimitStaysItsOwn() {
        var strict = context
        strict.settings.refundLimitMinor = 10_000  // this terminal's own override
        var watch = TerminalWatch()
        var store = StoreWatch()
        let e = event(
            .transaction(.refund, amountMinor: 20_000, currency: "EUR", approved: true, panLast4: nil), after: 0)
        let findings = DetectionRules.judge(e, of: UUID(), watch: &watch, store: &store, context: strict)
        #expect(findings.map(\.rule) == [.refundLimit] && findings.first?.message.contains("on this terminal") == true)
        // Its neighbour under the store's limit of 100,000 is not held to the stricter one.
        var neighbour = TerminalWatch()
        let next = event(
            .transaction(.refund, amountMinor: 20_000, currency: "EUR", approved: true, panLast4: nil), after: 60)
        #expect(DetectionRules.judge(next, of: UUID(), watch: &neighbour, store: &store, context: context).isEmpty)
        // Over both its own limit and the store's: still one finding.
        var big = TerminalWatch()
        let huge = event(
            .transaction(.refund, amountMinor: 150_000, currency: "EUR", approved: true, panLast4: nil), after: 120)
        #expect(
            DetectionRules.judge(huge, of: UUID(), watch: &big, store: &store, context: context).map(\.rule) == [
                .refundLimit
            ])
    }

    @Test mutating func powerOffCountsOnlyAfterHoursAndAwayFromTheStore() {
        var atShop = TerminalWatch()
        // 21:00 in Berlin, at the counter: a normal end of day.
        #expect(
            run(
                [(fix(52.5010, 13.4190, accuracy: 10, at: 11 * 3600), 11 * 3600), (.power(.off), 11 * 3600 + 60)],
                watch: &atShop
            ).isEmpty)
        var away = TerminalWatch()
        var night: [(AgentEvent.Body, TimeInterval)] = []
        for i in 0..<3 {
            let t = 11 * 3600 + Double(i) * 60
            night.append((fix(52.52, 13.4190, accuracy: 10, at: t), t))
        }
        night.append((.power(.off), 11 * 3600 + 300))
        #expect(run(night, watch: &away).map(\.rule) == [.geofenceBreach, .powerOffAfterHours])
        var daytime = TerminalWatch()
        var day: [(AgentEvent.Body, TimeInterval)] = []
        for i in 0..<3 { day.append((fix(52.52, 13.4190, accuracy: 10, at: Double(i) * 60), Double(i) * 60)) }
        day.append((.power(.off), 300))
        #expect(!run(day, watch: &daytime).map(\.rule).contains(.powerOffAfterHours), "open hours: not this rule")
    }

    @Test func silenceRaisesOfflineThenMissingOnce() {
        var watch = TerminalWatch()
        watch.lastSeenAt = opening
        watch.lastSeq = 7
        let s = DetectionSettings()
        #expect(
            DetectionRules.judgeSilence(watch: &watch, settings: s, now: opening.addingTimeInterval(29 * 60)) == nil)
        #expect(
            DetectionRules.judgeSilence(watch: &watch, settings: s, now: opening.addingTimeInterval(31 * 60))?.rule
                == .offline)
        #expect(DetectionRules.judgeSilence(watch: &watch, settings: s, now: opening.addingTimeInterval(3600)) == nil)
        let missing = DetectionRules.judgeSilence(
            watch: &watch, settings: s, now: opening.addingTimeInterval(25 * 3600))
        #expect(missing?.rule == .missing && missing?.severity == .critical)
        #expect(
            DetectionRules.judgeSilence(watch: &watch, settings: s, now: opening.addingTimeInterval(26 * 3600)) == nil)
    }

    @Test func gapsInSequenceNumbersAreFindings() {
        #expect(DetectionRules.gap(after: 10, next: 11, at: opening) == nil)
        #expect(DetectionRules.gap(after: 0, next: 5, at: opening) == nil)
        #expect(DetectionRules.gap(after: 10, next: 14, at: opening)?.message == "3 events missing before #14")
    }

    @Test func overridesApplyNarrowestLast() throws {
        var merchant = DetectionOverrides()
        merchant.offlineAfterMinutes = 60
        merchant.autoLockOnCritical = false
        var store = DetectionOverrides()
        store.offlineAfterMinutes = 10
        let settings = DetectionSettings().applying(merchant).applying(store)
        #expect(settings.offlineAfterMinutes == 10 && !settings.autoLockOnCritical && settings.maxSpeedKmh == 300)
        store.maxSpeedKmh = 5
        store.allowedICCIDs = ["12"]
        let failure = try #require(throws: ValidationFailure.self) { try store.validate() }
        #expect(failure.errors.map(\.field) == ["max_speed_kmh", "allowed_iccids[0]"])
    }
}

/// A tiny deterministic random source for reproducible tracks.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func unit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
    }
}
