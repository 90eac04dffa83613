import Foundation
import PosGuardDomain
import Testing

/// Each evasion a thief who has read the rules would try, caught; and the ordinary case beside it, quiet.
@Suite("Detection a thief cannot walk around")
struct EvasionTests {
    /// A bakery in Berlin-Kreuzberg, radius 150 m, open 06:30–18:30 on Mondays (Europe/Berlin).
    let context = DetectionContext(
        geofence: Geofence(latitude: 52.5010, longitude: 13.4190, radiusM: 150),
        hours: try! BusinessHours.parse(["mon": ["06:30-18:30"]]), timeZone: TimeZone(identifier: "Europe/Berlin")!,
        roster: ["op-1", "op-2", "op-3"], registeredICCID: "8949000000000000001", settings: DetectionSettings())
    /// Monday 2026-11-23 10:00 in Berlin; `night` is 23:00 the same day, after closing.
    let opening = Date(timeIntervalSince1970: 1_795_424_400)
    var night: Date { opening.addingTimeInterval(13 * 3600) }
    let terminal = UUID()

    /// A fix `metres` north of the shop's centre.
    func fix(_ metres: Double, accuracy: Double, source: AgentEvent.FixSource = .gps, at t: Date) -> AgentEvent.Body {
        .location(
            Fix(latitude: 52.5010 + metres / 111_320, longitude: 13.4190, accuracyM: accuracy, source: source, at: t))
    }

    func heartbeat(network: String?) -> AgentEvent.Body {
        .heartbeat(battery: 80, charging: true, network: network, ip: nil)
    }

    func refund(_ amount: Int64, by op: String? = nil) -> AgentEvent.Body {
        .transaction(.refund, amountMinor: amount, currency: "EUR", approved: true, panLast4: nil, operatorID: op)
    }

    /// Judges `events` in turn (seq from 1), each at its time; returns every finding.
    func judge(
        _ events: [(AgentEvent.Body, Date)], watch: inout TerminalWatch, context: DetectionContext? = nil
    ) -> [Finding] {
        let start = watch.lastSeq
        var findings: [Finding] = []
        for (i, (body, at)) in events.enumerated() {
            let event = AgentEvent(seq: start + Int64(i) + 1, at: at, body: body)
            findings += DetectionRules.judge(event, watch: &watch, context: context ?? self.context)
            watch.lastSeq = event.seq
        }
        return findings
    }

    func minutes(_ m: Double, after t: Date) -> Date { t.addingTimeInterval(m * 60) }

    // MARK: 1. Self-reported accuracy

    @Test func anAccuracyOfKilometresNoLongerShieldsAFixFarAway() {
        var watch = TerminalWatch()
        // 3 km away, claiming ±5,000 m: its circle covers the shop, but no GPS fix is that vague.
        let findings = judge(
            (0..<3).map {
                (
                    fix(3_000, accuracy: 5_000, at: minutes(Double($0), after: opening)),
                    minutes(Double($0), after: opening)
                )
            }, watch: &watch)
        #expect(findings.map(\.rule) == [.geofenceBreach])
        #expect(findings.first?.message.contains("implausible for gps") == true)
    }

    @Test func anAccuracyFarWorseThanTheTerminalsOwnIsJudgedAtItsUsualOne() {
        var watch = TerminalWatch()
        let usual = (0..<10).map { i in
            let t = minutes(Double(i), after: opening)
            return (fix(Double(i * 5), accuracy: 8 + Double(i % 3), at: t), t)
        }
        #expect(judge(usual, watch: &watch).isEmpty)
        // 450 m away claiming ±400 m, plausible for GPS in general but forty times this terminal's usual.
        let away = (10..<13).map { i in
            let t = minutes(Double(i), after: opening)
            return (fix(450, accuracy: 400, at: t), t)
        }
        #expect(judge(away, watch: &watch).map(\.rule) == [.geofenceBreach])
    }

    @Test func vagueFixesBetweenOutsideOnesNeitherEndNorHideTheExcursion() {
        var watch = TerminalWatch()
        var events: [(AgentEvent.Body, Date)] = []
        for i in 0..<3 {
            let t = minutes(Double(i * 2), after: opening)
            events.append((fix(900, accuracy: 15, at: t), t))
            // An IP location centred on the shop, ±20 km: true of half the city.
            events.append(
                (fix(0, accuracy: 20_000, source: .ip, at: t.addingTimeInterval(30)), t.addingTimeInterval(30)))
        }
        #expect(judge(events, watch: &watch).map(\.rule) == [.geofenceBreach])
    }

    @Test func fixesTooVagueToPlaceTheTerminalAreAFindingWhenTheyAreAllThatIsLeft() {
        var watch = TerminalWatch()
        let placed = (0..<5).map { i in
            (fix(10, accuracy: 12, at: minutes(Double(i), after: opening)), minutes(Double(i), after: opening))
        }
        #expect(judge(placed, watch: &watch).isEmpty)
        // GPS switched off; an IP location ±20 km centred 8 km away every two minutes keeps the circle over the shop.
        let vague = (0..<25).map { i in
            let t = minutes(Double(10 + i * 2), after: opening)
            return (fix(8_000, accuracy: 20_000, source: .ip, at: t), t)
        }
        let findings = judge(vague, watch: &watch)
        #expect(findings.map(\.rule) == [.vagueLocation], "once, after half an hour")
        #expect(findings.first?.at == minutes(40, after: opening))
        // The ordinary cases: a terminal that never had a precise fix, and a GPS outage of ten minutes.
        var ipOnly = TerminalWatch()
        #expect(judge(vague, watch: &ipOnly).isEmpty)
        var outage = TerminalWatch()
        let brief =
            placed + Array(vague.prefix(5)) + [
                (fix(5, accuracy: 10, at: minutes(20, after: opening)), minutes(20, after: opening))
            ]
        #expect(judge(brief + vague.map { ($0.0, $0.1 + 600) }.prefix(10), watch: &outage).isEmpty)
    }

    @Test func anOutdoorHistoryDoesNotMakeHonestIndoorFixesLies() {
        var watch = TerminalWatch()
        let outdoors = (0..<10).map { i in
            (fix(5, accuracy: 5, at: minutes(Double(i), after: opening)), minutes(Double(i), after: opening))
        }
        // Then indoors, or just rebooted: ±100 m and ±300 m fixes up to 300 m off, their circles over the shop.
        let indoors = [(190.0, 100.0), (180, 100), (170, 100), (310, 300), (250, 300), (300, 300)].enumerated().map {
            i, f in
            (
                fix(f.0, accuracy: f.1, at: minutes(Double(20 + i), after: opening)),
                minutes(Double(20 + i), after: opening)
            )
        }
        #expect(judge(outdoors + indoors, watch: &watch).isEmpty)
    }

    @Test func anIPLocationNeverPutsATerminalOutsideNorBackIn() {
        var watch = TerminalWatch()
        // GPS in the shop, then the carrier's gateway 120 km away "±50 km": not a breach, not off the premises.
        let events = [
            (fix(10, accuracy: 10, at: opening), opening),
            (fix(120_000, accuracy: 50_000, source: .ip, at: opening + 60), opening + 60),
        ]
        #expect(judge(events, watch: &watch).isEmpty && !watch.isOffPremises)
    }

    @Test func honestPoorAccuracyIndoorsStaysQuiet() {
        var watch = TerminalWatch()
        var random = SplitMix(seed: 7)
        // A terminal deep inside a mall: GPS ±40–200 m, its positions wandering up to 120 m from the centre.
        let events = (0..<300).map { i in
            let t = minutes(Double(i), after: opening)
            return (fix(random.unit() * 120, accuracy: 40 + random.unit() * 160, at: t), t)
        }
        #expect(judge(events, watch: &watch).isEmpty)
        #expect(!watch.isOffPremises)
    }

    // MARK: 2. Event time

    /// A terminal in touch a minute ago whose events came up to then.
    var online: TerminalWatch {
        var watch = TerminalWatch()
        watch.lastSeq = 40
        watch.lastSeenAt = night.addingTimeInterval(-60)
        watch.newestEventAt = night.addingTimeInterval(-65)
        return watch
    }

    func entry(_ seq: Int64, _ at: Date, _ body: AgentEvent.Body) -> BatchPlan.Entry {
        .accepted(AgentEvent(seq: seq, at: at, body: body), json: "{\"seq\":\(seq)}")
    }

    func sale(_ amount: Int64) -> AgentEvent.Body {
        .transaction(.sale, amountMinor: amount, currency: "EUR", approved: true, panLast4: "4242")
    }

    func plan(_ entries: [BatchPlan.Entry], watch: TerminalWatch, at now: Date) -> BatchPlan {
        BatchPlan(entries, terminal: terminal, watch: watch, store: StoreWatch(), context: context, at: now)
    }

    @Test func anAfterHoursSaleStampedInHoursIsJudgedByTheTimeItArrived() {
        let stamped = opening.addingTimeInterval(4 * 3600)  // 14:00, the shop open
        let batch = plan([entry(41, stamped, sale(9_900))], watch: online, at: night)
        #expect(batch.findings.map(\.rule) == [.clockSkew, .afterHoursUse])
        #expect(batch.findings.first?.message.contains("9 h 0 min before it was received") == true)
        #expect(batch.fresh.first?.event.at == stamped, "stored as sent")
        // The clock stays doubted: the next sale stamped in hours raises after-hours use, and no second clock_skew.
        let next = plan([entry(42, stamped.addingTimeInterval(60), sale(100))], watch: batch.watch, at: night + 60)
        #expect(next.findings.map(\.rule) == [.afterHoursUse])
    }

    @Test func aSaleSlippedBetweenHonestEventsIsCaughtByItsNumber() {
        // Numbered before a heartbeat of now, but stamped nine hours earlier.
        let batch = plan(
            [entry(41, opening.addingTimeInterval(4 * 3600), sale(500)), entry(42, night, heartbeat(network: "lte"))],
            watch: online, at: night)
        #expect(batch.findings.map(\.rule) == [.clockSkew, .afterHoursUse])
    }

    @Test func aSaleSentIntoAHoleLeftInTheNumberingCannotBeBackdated() {
        let opened = plan([entry(42, night, heartbeat(network: "lte"))], watch: online, at: night)
        #expect(opened.missing == [41...41] && opened.findings.isEmpty)
        let filled = plan(
            [entry(41, opening.addingTimeInterval(4 * 3600), sale(9_900))], watch: opened.watch, at: night + 20)
        #expect(filled.findings.map(\.rule) == [.clockSkew, .afterHoursUse] && filled.missing.isEmpty)
        // The honest resend of a number lost in transit carries a time between its neighbours.
        let honest = plan([entry(41, night - 30, heartbeat(network: "lte"))], watch: opened.watch, at: night + 20)
        #expect(honest.findings.isEmpty)
    }

    @Test func eventsFromTheFutureAreRefusedAndTellOfTheClock() {
        let batch = plan(
            [entry(41, night.addingTimeInterval(3 * 86_400), sale(500)), entry(42, night, heartbeat(network: "lte"))],
            watch: online, at: night)
        #expect(batch.refused.map(\.seq) == [41])
        #expect(batch.refused.first?.reason.hasPrefix("at is in the future") == true)
        #expect(batch.fresh.map(\.event.seq) == [42] && batch.ackedSeq == 42)
        #expect(batch.findings.map(\.rule) == [.clockSkew])
    }

    @Test func aClockALittleOffAndABacklogFromOutOfTouchAreBelieved() {
        // Two minutes behind, and another two minutes ahead: within the skew.
        let behind = plan([entry(41, night.addingTimeInterval(-120), sale(500))], watch: online, at: night)
        let ahead = plan(
            [entry(41, night.addingTimeInterval(120), heartbeat(network: "lte"))], watch: online, at: night)
        #expect(behind.findings.map(\.rule) == [.afterHoursUse], "judged at its own time, which is after hours too")
        #expect(ahead.findings.isEmpty)
        // Out of touch since 13:55; a sale at 14:00, in hours, sent at 23:00 with the heartbeats buffered since.
        var away = TerminalWatch()
        away.lastSeq = 40
        away.lastSeenAt = opening.addingTimeInterval(3 * 3600 + 55 * 60)
        away.newestEventAt = away.lastSeenAt
        let saleAt = opening.addingTimeInterval(4 * 3600)
        var backlog = [entry(41, saleAt, sale(2_500))]
        for i in 0..<500 {
            backlog.append(entry(42 + Int64(i), saleAt.addingTimeInterval(Double(i) * 60), heartbeat(network: "none")))
        }
        let first = plan(Array(backlog.prefix(200)), watch: away, at: night)
        #expect(!first.findings.contains { [.clockSkew, .afterHoursUse].contains($0.rule) })
        // A backdated sale alone in between is not believed, and leaves the backlog believed.
        let slipped = plan([entry(241, saleAt - 3600, sale(100))], watch: first.watch, at: night.addingTimeInterval(1))
        #expect(slipped.findings.map(\.rule) == [.clockSkew, .afterHoursUse])
        // The rest a second later, opening with a sale at 17:19, in hours: the events advance hours in a second,
        // a backlog being sent.
        let rest = plan(
            Array(backlog.dropFirst(200)).enumerated().map { i, entry in
                guard case .accepted(let e, let json) = entry else { return entry }
                return .accepted(AgentEvent(seq: e.seq + 1, at: e.at, body: i == 0 ? sale(700) : e.body), json: json)
            }, watch: slipped.watch, at: night.addingTimeInterval(2))
        #expect(!rest.findings.contains { [.clockSkew, .afterHoursUse].contains($0.rule) })
    }

    @Test func aClockThatStaysNineHoursBehindWhileOnlineIsNotABacklog() {
        var away = TerminalWatch()
        away.lastSeq = 40
        away.lastSeenAt = opening.addingTimeInterval(4 * 3600)
        away.newestEventAt = away.lastSeenAt
        let lagging = opening.addingTimeInterval(4 * 3600 + 60)
        let first = plan([entry(41, lagging, heartbeat(network: "lte"))], watch: away, at: night)
        #expect(first.findings.isEmpty, "the first batch after a silence may carry old events")
        // A minute later, still nine hours behind: events advancing at the pace of real time are no backlog.
        let second = plan([entry(42, lagging.addingTimeInterval(60), sale(100))], watch: first.watch, at: night + 60)
        #expect(second.findings.map(\.rule) == [.clockSkew, .afterHoursUse])
    }

    // MARK: 3. Contradicting location sources

    @Test func aSatelliteFixPinnedToTheShopWhileTheCellSays50KilometresIsForged() {
        var watch = TerminalWatch()
        let findings = judge(
            [
                (fix(50_000, accuracy: 2_000, source: .cell, at: opening), opening),
                (fix(5, accuracy: 8, at: opening.addingTimeInterval(20)), opening.addingTimeInterval(20)),
            ], watch: &watch)
        #expect(findings.map(\.rule) == [.locationSpoofing] && findings.first?.severity == .critical)
    }

    @Test func networkLocationsWithinTheirAccuracyAgreeWithTheSatellite() {
        var watch = TerminalWatch()
        var events: [(AgentEvent.Body, Date)] = []
        for i in 0..<60 {
            let t = minutes(Double(i), after: opening)
            events.append((fix(10, accuracy: 15, at: t), t))
            // A cell 4 km off for a ±3 km claim, Wi-Fi 180 m off for ±120 m, IP 1.8 km off for ±2 km.
            let (metres, accuracy, source): (Double, Double, AgentEvent.FixSource) =
                [(4_000, 3_000, .cell), (180, 120, .wifi), (1_800, 2_000, .ip)][i % 3]
            events.append((fix(metres, accuracy: accuracy, source: source, at: t + 10), t + 10))
        }
        #expect(judge(events, watch: &watch).isEmpty)
    }

    // MARK: 4. SIM and network loss

    @Test func aSIMRemovedIsAFindingCriticalAfterHours() {
        let sim: AgentEvent.Body = .sim(iccid: "8949000000000000001")
        var watch = TerminalWatch()
        #expect(judge([(.sim(iccid: nil), opening)], watch: &watch).isEmpty, "no SIM seen yet: nothing was removed")
        let open = judge([(sim, opening), (.sim(iccid: nil), opening + 30)], watch: &watch)
        #expect(open.map(\.rule) == [.simRemoved] && open.first?.severity == .warning)
        #expect(
            judge([(.sim(iccid: nil), opening + 60)], watch: &watch).isEmpty, "reported again: still the same removal")
        let closed = judge([(sim, night - 60), (.sim(iccid: nil), night)], watch: &watch)
        #expect(closed.first?.severity == .critical)
        var strict = context
        strict.settings.connectivityLossSeverity = .critical
        let policy = judge([(sim, opening + 90), (.sim(iccid: nil), opening + 100)], watch: &watch, context: strict)
        #expect(policy.first?.severity == .critical)
        // Put back, the registered SIM raises nothing; another is a swap.
        #expect(judge([(sim, opening + 110)], watch: &watch).isEmpty)
        _ = judge([(.sim(iccid: nil), opening + 120)], watch: &watch)
        #expect(judge([(.sim(iccid: "8949000000000000777"), opening + 180)], watch: &watch).map(\.rule) == [.simSwap])
    }

    @Test func silenceIsJudgedAgainstHowOftenTheTerminalReports() {
        // A terminal that reports every five minutes, its last fix drifting outside: three minutes is no silence.
        var watch = TerminalWatch()
        _ = judge([(fix(300, accuracy: 20, at: opening), opening)], watch: &watch)
        watch.lastSeenAt = opening
        watch.reportingInterval = 300
        let settings = DetectionSettings()
        #expect(DetectionRules.judgeSilence(watch: &watch, settings: settings, now: minutes(4, after: opening)) == nil)
        #expect(DetectionRules.judgeSilence(watch: &watch, settings: settings, now: minutes(9, after: opening)) == nil)
        let finding = DetectionRules.judgeSilence(watch: &watch, settings: settings, now: minutes(10, after: opening))
        #expect(finding?.rule == .silentOffPremises)
    }

    @Test func anIPLocationIsJudgedAtItsSourcesBoundWhateverItClaims() {
        var watch = TerminalWatch()
        // GPS in the shop, then the carrier's gateway 40 km off claiming ±5 km: no forgery, no teleport.
        let events = [
            (fix(10, accuracy: 10, at: opening), opening),
            (fix(40_000, accuracy: 5_000, source: .ip, at: opening + 60), opening + 60),
            (fix(-30_000, accuracy: 5_000, source: .ip, at: opening + 120), opening + 120),
        ]
        #expect(judge(events, watch: &watch).isEmpty)
        // An IP location in another country, 600 km away, still contradicts GPS in the shop.
        let far = judge([(fix(600_000, accuracy: 5_000, source: .ip, at: opening + 180), opening + 180)], watch: &watch)
        #expect(far.map(\.rule).contains(.locationSpoofing))
    }

    @Test func aSecondSIMInTheFirstBatchIsASwap() {
        var unregistered = context
        unregistered.registeredICCID = nil
        let batch = BatchPlan(
            [
                entry(1, opening, .sim(iccid: "8949000000000000001")),
                entry(2, opening + 5, .sim(iccid: "8949000000000000777")),
            ], terminal: terminal, watch: TerminalWatch(), store: StoreWatch(), context: unregistered, at: opening + 10)
        #expect(batch.adoptedICCID == "8949000000000000001")
        #expect(batch.findings.map(\.rule) == [.simSwap])
    }

    @Test func noNetworkIsReadHoweverItIsWritten() {
        for word in ["none", " NONE ", "offline", "No_Service", "no network"] {
            var watch = TerminalWatch()
            let events = (0...16).map { (heartbeat(network: word), minutes(Double($0), after: opening)) }
            #expect(judge(events, watch: &watch).map(\.rule) == [.networkBlackout], "\(word)")
        }
    }

    @Test func aLongBlackoutIsAFindingOnceAndABriefDropIsNot() {
        var watch = TerminalWatch()
        var events: [(AgentEvent.Body, Date)] = [(heartbeat(network: "lte"), opening)]
        // A brief drop: five minutes without network.
        events += [
            (heartbeat(network: "none"), minutes(1, after: opening)),
            (heartbeat(network: "none"), minutes(6, after: opening)),
        ]
        events.append((heartbeat(network: "lte"), minutes(7, after: opening)))
        #expect(judge(events, watch: &watch).isEmpty)
        // Thirty minutes of heartbeats saying none, the terminal otherwise alive.
        let blackout = (0...30).map { (heartbeat(network: "none"), minutes(Double(10 + $0), after: opening)) }
        let findings = judge(blackout, watch: &watch)
        #expect(findings.map(\.rule) == [.networkBlackout] && findings.first?.severity == .warning)
        #expect(judge([(heartbeat(network: nil), minutes(50, after: opening))], watch: &watch).isEmpty)
        // One "none", then heartbeats that do not say, then "none" again a day later: no blackout of a day.
        let later = [
            (heartbeat(network: "none"), minutes(60, after: opening)),
            (heartbeat(network: nil), minutes(61, after: opening)),
            (heartbeat(network: "none"), minutes(1500, after: opening)),
        ]
        #expect(judge(later, watch: &watch).isEmpty)
    }

    // MARK: 5. One far fix, then silence

    @Test func onePreciseFixFarBeyondTheFenceIsABreachOnItsOwn() {
        var watch = TerminalWatch()
        let first = judge([(fix(5_000, accuracy: 15, at: opening), opening)], watch: &watch)
        #expect(first.map(\.rule) == [.geofenceBreach] && first.first?.evidence == [1])
        let more = judge(
            (1...4).map {
                (
                    fix(5_000 + Double($0) * 300, accuracy: 15, at: minutes(Double($0), after: opening)),
                    minutes(Double($0), after: opening)
                )
            }, watch: &watch)
        #expect(more.isEmpty, "one breach per excursion")
        // A single fix 600 m off is not far enough alone.
        var other = TerminalWatch()
        #expect(judge([(fix(600, accuracy: 15, at: opening), opening)], watch: &other).isEmpty)
        #expect(other.isOffPremises)
    }

    @Test func fixesForgedToTheShopBetweenRealOnesDoNotHideTheExcursion() {
        var watch = TerminalWatch()
        // Real fixes 1.5 km away, every third one forged to the counter: never three outside in a row.
        let pattern: [Double] = [1_500, 1_600, 0, 1_700, 1_800, 0, 1_900]
        let events = pattern.enumerated().map { i, metres in
            (fix(metres, accuracy: 20, at: minutes(Double(i), after: opening)), minutes(Double(i), after: opening))
        }
        let findings = judge(events, watch: &watch)
        #expect(findings.map(\.rule) == [.geofenceBreach])
        #expect(findings.first?.message.hasPrefix("3 of the last 4 fixes outside") == true)
    }

    @Test func aTerminalPlacedOutsideThatStopsSendingFixesIsFound() {
        var watch = TerminalWatch()
        _ = judge([(fix(600, accuracy: 15, at: opening), opening)], watch: &watch)
        watch.lastFixSeenAt = opening
        let settings = DetectionSettings()
        // It keeps sending heartbeats (heard from a minute ago), but no fix for half an hour.
        watch.lastSeenAt = minutes(29, after: opening)
        #expect(
            DetectionRules.judgeSilence(watch: &watch, settings: settings, now: minutes(29.5, after: opening)) == nil)
        watch.lastSeenAt = minutes(30, after: opening)
        let finding = DetectionRules.judgeSilence(watch: &watch, settings: settings, now: minutes(30.5, after: opening))
        #expect(finding?.rule == .silentOffPremises && finding?.message.hasSuffix("though it still reports") == true)
        #expect(DetectionRules.judgeSilence(watch: &watch, settings: settings, now: minutes(31, after: opening)) == nil)
    }

    @Test func silenceAfterAFixOutsideEscalatesAtOnce() {
        var watch = TerminalWatch()
        _ = judge([(fix(600, accuracy: 15, at: opening), opening)], watch: &watch)
        watch.lastSeenAt = opening
        let settings = DetectionSettings()
        #expect(DetectionRules.judgeSilence(watch: &watch, settings: settings, now: minutes(2, after: opening)) == nil)
        let finding = DetectionRules.judgeSilence(watch: &watch, settings: settings, now: minutes(3, after: opening))
        #expect(finding?.rule == .silentOffPremises && finding?.severity == .critical && finding?.evidence == [1])
        #expect(DetectionRules.judgeSilence(watch: &watch, settings: settings, now: minutes(40, after: opening)) == nil)
        // Last seen inside: a brief network drop is nothing, and offline comes at its own threshold.
        var inside = TerminalWatch()
        _ = judge([(fix(20, accuracy: 15, at: opening), opening)], watch: &inside)
        inside.lastSeenAt = opening
        #expect(DetectionRules.judgeSilence(watch: &inside, settings: settings, now: minutes(5, after: opening)) == nil)
        #expect(
            DetectionRules.judgeSilence(watch: &inside, settings: settings, now: minutes(30, after: opening))?.rule
                == .offline)
    }

    // MARK: 6. Insiders splitting their work

    /// Judges refunds on several terminals of one store: (terminal index, body, minutes after opening).
    func store(_ steps: [(Int, AgentEvent.Body, Double)], context: DetectionContext? = nil) -> [Finding] {
        let terminals = [UUID(), UUID(), UUID()]
        var watches = [TerminalWatch(), TerminalWatch(), TerminalWatch()]
        var store = StoreWatch()
        var findings: [Finding] = []
        for (i, body, m) in steps {
            watches[i].lastSeq += 1
            let event = AgentEvent(seq: watches[i].lastSeq, at: minutes(m, after: opening), body: body)
            findings += DetectionRules.judge(
                event, of: terminals[i], watch: &watches[i], store: &store, context: context ?? self.context)
        }
        return findings
    }

    func login(_ op: String) -> AgentEvent.Body { .login(operatorID: op, method: .pin, success: true) }

    @Test func oneOperatorsRefundsSpreadOverTerminalsAreABurst() {
        let findings = store([
            (0, login("op-1"), 0), (1, login("op-1"), 0),
            (0, refund(900), 1), (1, refund(900), 2), (0, refund(900), 3),
        ])
        #expect(findings.map(\.rule) == [.refundBurst])
        #expect(findings.first?.message == "3 refunds within 10 minutes by operator op-1, on 2 terminals")
    }

    @Test func aStoresRefundsSpreadOverOperatorsAndTerminalsAreABurst() {
        var steps: [(Int, AgentEvent.Body, Double)] = []
        for i in 0..<6 { steps.append((i % 3, refund(500, by: "op-\(i % 3 + 1)"), Double(i))) }
        let findings = store(steps)
        #expect(findings.map(\.rule) == [.refundBurst])
        #expect(findings.first?.message == "6 refunds within 10 minutes at this store, on 3 terminals")
    }

    @Test func anOperatorOverTheirLimitAcrossTerminalsIsFoundWhereTheStoresLimitIsHigh() {
        var big = context
        big.storeSettings.refundLimitMinor = 1_000_000
        big.settings.refundLimitMinor = 1_000_000
        let findings = store(
            [(0, refund(60_000, by: "op-2"), 0), (1, refund(50_000, by: "op-2"), 30)], context: big)
        #expect(findings.map(\.rule) == [.refundLimit])
        #expect(findings.first?.message.contains("by operator op-2 in 24 hours, on 2 terminals") == true)
    }

    @Test func refundsUnderNamesOffTheRosterAreUnknownOperators() {
        let findings = store([(0, refund(500, by: "ghost-1"), 0), (1, refund(500, by: "op-2"), 1)])
        #expect(findings.map(\.rule) == [.unknownOperator])
        #expect(findings.first?.message == "transaction by operator ghost-1, who is not on the store's roster")
    }

    @Test func ordinaryRefundsAcrossTheStoreStayQuiet() {
        // A refund now and then, by different people at different tills, over the day.
        let steps: [(Int, AgentEvent.Body, Double)] = (0..<8).map { i in
            (i % 3, refund(2_000, by: "op-\(i % 3 + 1)"), Double(i) * 45)
        }
        #expect(store(steps).isEmpty)
    }
}
