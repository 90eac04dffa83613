import Foundation

/// The rules PosGuard runs over every event, and the watchdog over silence.
public enum DetectionRules {
    public static let all: [DetectionRule] = [
        geofenceBreach, impossibleTravel, tamper, simSwap, powerOffAfterHours, afterHoursUse, failedLoginBurst,
        unknownOperator, refundBurst, refundLimit,
    ]

    /// Judges one event: every rule in turn, then the memory common to all of them.
    public static func judge(_ event: AgentEvent, watch: inout TerminalWatch, context: DetectionContext) -> [Finding] {
        let findings = all.compactMap { $0.evaluate(&watch, event, context) }
        if case .location(let fix) = event.body, fix.at >= (watch.lastFix?.at ?? .distantPast) { watch.lastFix = fix }
        return findings
    }

    /// Judges one event of `terminal` as above and, when it is an approved refund, against its store's memory
    /// too. One refund raises at most one `refund_limit` finding: over the terminal's own limit, or else
    /// over the store's.
    public static func judge(
        _ event: AgentEvent, of terminal: UUID, watch: inout TerminalWatch, store: inout StoreWatch,
        context: DetectionContext
    ) -> [Finding] {
        var findings = judge(event, watch: &watch, context: context)
        if let finding = storeRefundLimit(event, terminal: terminal, store: &store, context: context),
            !findings.contains(where: { $0.rule == .refundLimit })
        {
            findings.append(finding)
        }
        return findings
    }

    /// Whether an event counts towards its store's memory; batches without one leave the store alone.
    public static func concernsStore(_ event: AgentEvent) -> Bool {
        if case .transaction(.refund, _, _, true, _) = event.body { return true }
        return false
    }

    /// Judges a terminal's silence at `now`: `offline` after a while, `missing` after much longer.
    public static func judgeSilence(watch: inout TerminalWatch, settings: DetectionSettings, now: Date) -> Finding? {
        guard let seen = watch.lastSeenAt else { return nil }
        let quiet = now.timeIntervalSince(seen)
        let minutes = Int(quiet / 60)
        if quiet >= settings.missingAfterHours * 3600, watch.silence != .missing {
            watch.silence = .missing
            return Finding(
                rule: .missing, severity: .critical,
                message: "no word from the terminal for \(minutes / 60) hours", evidence: [watch.lastSeq], at: now)
        }
        if quiet >= settings.offlineAfterMinutes * 60, watch.silence == .none {
            watch.silence = .offline
            return Finding(
                rule: .offline, severity: .warning,
                message: "no word from the terminal for \(minutes) minutes", evidence: [watch.lastSeq], at: now)
        }
        return nil
    }

    /// A gap in event numbers: events lost on the device, which a thief wiping it would cause.
    public static func gap(after lastSeq: Int64, next: Int64, at: Date) -> Finding? {
        guard lastSeq > 0, next > lastSeq + 1 else { return nil }
        let lost = next - lastSeq - 1
        return Finding(
            rule: .eventGap, severity: .warning,
            message: "\(lost) event\(lost == 1 ? "" : "s") missing before #\(next)", evidence: [next], at: at)
    }

    static let geofenceBreach = DetectionRule(.geofenceBreach, .critical) { watch, event, context in
        guard case .location(let fix) = event.body else { return nil }
        let distance = context.geofence.distance(toLatitude: fix.latitude, longitude: fix.longitude)
        // Only a fix whose whole uncertainty circle lies beyond the radius counts: drift inside the shop never does.
        guard distance - fix.accuracyM > context.geofence.radiusM else {
            watch.outsideStreak = []
            return nil
        }
        let needed = context.settings.geofenceConsecutiveFixes
        let before = watch.outsideStreak.count
        watch.outsideStreak = Array((watch.outsideStreak + [event.seq]).suffix(needed))
        // Fire once per excursion: when the streak reaches the threshold, not on every fix after it.
        guard before == needed - 1 else { return nil }
        let metres = Int(distance)
        return (
            "\(watch.outsideStreak.count) fixes in a row outside the store's geofence, the last \(metres) m from it",
            watch.outsideStreak
        )
    }

    static let impossibleTravel = DetectionRule(.impossibleTravel, .warning) { watch, event, context in
        guard case .location(let fix) = event.body, let previous = watch.lastFix else { return nil }
        let seconds = fix.at.timeIntervalSince(previous.at)
        guard seconds > 0 else { return nil }
        let certain = max(0, fix.distance(to: previous) - fix.accuracyM - previous.accuracyM)
        let kmh = certain / seconds * 3.6
        guard kmh > context.settings.maxSpeedKmh else { return nil }
        return ("moved at least \(Int(certain)) m in \(Int(seconds)) s (\(Int(kmh)) km/h)", [event.seq])
    }

    static let tamper = DetectionRule(.tamper, .critical) { _, event, _ in
        guard case .tamper(let sensor) = event.body else { return nil }
        return ("tamper sensor \(sensor) triggered", [event.seq])
    }

    static let simSwap = DetectionRule(.simSwap, .critical) { watch, event, context in
        guard case .sim(let iccid) = event.body else { return nil }
        defer { watch.iccid = iccid }
        let allowed = Set(context.settings.allowedICCIDs + [context.registeredICCID].compactMap { $0 })
        // A terminal with no registered SIM and no allow-list registers its first one (see Ingest).
        guard !allowed.isEmpty, !allowed.contains(iccid), watch.iccid != iccid else { return nil }
        return ("SIM card changed to ICCID …\(iccid.suffix(4)), which is not registered for this terminal", [event.seq])
    }

    static let powerOffAfterHours = DetectionRule(.powerOffAfterHours, .warning) { watch, event, context in
        guard case .power(.off) = event.body, watch.isOffPremises,
            !context.hours.isOpen(at: event.at, in: context.timeZone)
        else { return nil }
        return ("powered off outside business hours while away from the store", [event.seq])
    }

    static let afterHoursUse = DetectionRule(.afterHoursUse, .warning) { _, event, context in
        let what: String
        switch event.body {
        case .login(let op, _, _): what = "sign-in by operator \(op)"
        case .transaction(let kind, _, _, _, _): what = "\(kind.rawValue) transaction"
        default: return nil
        }
        guard !context.hours.isOpen(at: event.at, in: context.timeZone) else { return nil }
        return ("\(what) outside the store's business hours", [event.seq])
    }

    static let failedLoginBurst = DetectionRule(.failedLoginBurst, .warning) { watch, event, context in
        guard case .login(_, _, false) = event.body else { return nil }
        let s = context.settings
        let since = event.at.addingTimeInterval(-s.failedLoginWindowMinutes * 60)
        watch.failedLogins = Array(
            (watch.failedLogins.filter { $0.at > since } + [.init(seq: event.seq, at: event.at)]).suffix(
                s.failedLoginBurst))
        guard watch.failedLogins.count >= s.failedLoginBurst else { return nil }
        return (
            "\(watch.failedLogins.count) failed sign-ins within \(Int(s.failedLoginWindowMinutes)) minutes",
            watch.failedLogins.map(\.seq)
        )
    }

    static let unknownOperator = DetectionRule(.unknownOperator, .warning) { _, event, context in
        guard case .login(let op, _, _) = event.body, !context.roster.isEmpty, !context.roster.contains(op) else {
            return nil
        }
        return ("sign-in by operator \(op), who is not on the store's roster", [event.seq])
    }

    static let refundBurst = DetectionRule(.refundBurst, .critical) { watch, event, context in
        guard case .transaction(.refund, let amount, _, let approved, _) = event.body else { return nil }
        let s = context.settings
        let day = event.at.addingTimeInterval(-86_400)
        watch.refunds = Array(
            (watch.refunds.filter { $0.at > day }
                + [.init(seq: event.seq, at: event.at, amountMinor: amount, approved: approved)]).suffix(200))
        let since = event.at.addingTimeInterval(-s.refundBurstWindowMinutes * 60)
        let recent = watch.refunds.filter { $0.at > since }
        guard recent.count >= s.refundBurstCount else { return nil }
        return ("\(recent.count) refunds within \(Int(s.refundBurstWindowMinutes)) minutes", recent.map(\.seq))
    }

    /// Runs after `refundBurst`, which keeps the day's refunds. One terminal over its own limit; the
    /// store's limit across all its terminals is `storeRefundLimit`.
    static let refundLimit = DetectionRule(.refundLimit, .critical) { watch, event, context in
        guard case .transaction(.refund, _, let currency, true, _) = event.body else { return nil }
        let approved = watch.refunds.filter(\.approved)
        let total = approved.reduce(0) { $0 + $1.amountMinor }
        guard total > context.settings.refundLimitMinor else { return nil }
        return (
            "approved refunds of \(total) \(currency) (minor units) on this terminal in 24 hours exceed the limit of "
                + "\(context.settings.refundLimitMinor)", approved.map(\.seq)
        )
    }

    /// Judges one event of `terminal` against what its whole store did: approved refunds by all the store's
    /// terminals within 24 hours over the store's limit. Remembers every approved refund in `store`; a
    /// finding names this terminal's refunds as evidence and says how many terminals shared the total.
    public static func storeRefundLimit(
        _ event: AgentEvent, terminal: UUID, store: inout StoreWatch, context: DetectionContext
    ) -> Finding? {
        guard case .transaction(.refund, let amount, let currency, true, _) = event.body else { return nil }
        let day = event.at.addingTimeInterval(-86_400)
        store.refunds = Array(
            (store.refunds.filter { $0.at > day }
                + [.init(terminalID: terminal, seq: event.seq, at: event.at, amountMinor: amount)])
                .suffix(StoreWatch.capacity))
        let total = store.refunds.reduce(0) { $0 + $1.amountMinor }
        let limit = context.storeRefundLimitMinor
        guard total > limit else { return nil }
        let terminals = Set(store.refunds.map(\.terminalID)).count
        return Finding(
            rule: .refundLimit, severity: .critical,
            message: "approved refunds of \(total) \(currency) (minor units) at this store in 24 hours, on "
                + "\(terminals) terminal\(terminals == 1 ? "" : "s"), exceed the store's limit of \(limit)",
            evidence: store.refunds.filter { $0.terminalID == terminal }.map(\.seq), at: event.at)
    }
}
