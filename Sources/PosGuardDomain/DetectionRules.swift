import Foundation

/// The rules PosGuard runs over every event, and the watchdog over silence.
public enum DetectionRules {
    public static let all: [DetectionRule] = [
        geofenceBreach, vagueLocation, locationSpoofing, impossibleTravel, tamper, simRemoved, simSwap, networkBlackout,
        powerOffAfterHours, afterHoursUse, failedLoginBurst, unknownOperator, refundBurst, refundLimit,
    ]

    /// Judges one event: every rule in turn, then the memory common to all of them. The event's time is the
    /// one it is judged at (`EventClock`).
    public static func judge(_ event: AgentEvent, watch: inout TerminalWatch, context: DetectionContext) -> [Finding] {
        let findings = all.compactMap { $0.evaluate(&watch, event, context) }
        switch event.body {
        case .location(let fix): watch.remember(fix, settings: context.settings)
        case .login(let op, _, true): watch.signedIn = op
        default: break
        }
        return findings
    }

    /// Judges one event of `terminal` as above and, when it is a refund, against its store's memory too. One
    /// refund raises at most one `refund_burst` and one `refund_limit` finding: the terminal's own, or else
    /// the store's or its operator's.
    public static func judge(
        _ event: AgentEvent, of terminal: UUID, watch: inout TerminalWatch, store: inout StoreWatch,
        context: DetectionContext
    ) -> [Finding] {
        var findings = judge(event, watch: &watch, context: context)
        for finding in storeRefunds(event, terminal: terminal, by: watch.signedIn, store: &store, context: context)
        where !findings.contains(where: { $0.rule == finding.rule }) {
            findings.append(finding)
        }
        return findings
    }

    /// Whether an event counts towards its store's memory; batches without one leave the store alone.
    public static func concernsStore(_ event: AgentEvent) -> Bool {
        if case .transaction(.refund, _, _, _, _, _) = event.body { return true }
        return false
    }

    /// Judges a terminal's silence at `now`: `offline` after a while, `missing` after much longer, and
    /// `silent_off_premises` soon after a last fix outside the geofence (a thief who carries a terminal out
    /// and switches it off is not left for the offline threshold), or when a terminal last placed outside
    /// keeps reporting but sends no fix for as long as `offline` waits.
    public static func judgeSilence(watch: inout TerminalWatch, settings: DetectionSettings, now: Date) -> Finding? {
        guard let seen = watch.lastSeenAt else { return nil }
        let quiet = now.timeIntervalSince(seen)
        let minutes = Int(quiet / 60)
        // Silence is more than twice the terminal's usual time between reports (a terminal reporting every five
        // minutes is not silent after three), and at least `silent_off_premises_minutes`.
        let silent = max(settings.silentOffPremisesMinutes * 60, 2 * (watch.reportingInterval ?? 0))
        if watch.isOffPremises, quiet >= silent, watch.silence == .none {
            watch.silence = .offline
            watch.fixSilenceReported = true
            return Finding(
                rule: .silentOffPremises, severity: .critical,
                message: "no word from the terminal for \(minutes) minutes since its last fix put it outside the "
                    + "store's geofence", evidence: Array(watch.outsideStreak.suffix(1)), at: now)
        }
        // Still talking, but no longer saying where it is: after a fix outside, as long as `offline` waits.
        if watch.isOffPremises, !watch.fixSilenceReported, let fixed = watch.lastFixSeenAt,
            now.timeIntervalSince(fixed) >= settings.offlineAfterMinutes * 60
        {
            watch.fixSilenceReported = true
            return Finding(
                rule: .silentOffPremises, severity: .critical,
                message:
                    "no fix from the terminal for \(Int(now.timeIntervalSince(fixed) / 60)) minutes since its last "
                    + "one put it outside the store's geofence, though it still reports",
                evidence: Array(watch.outsideStreak.suffix(1)), at: now)
        }
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

    /// Event numbers given up as lost: events a thief wiping the device would destroy. `settings` says how
    /// long missing numbers were awaited.
    public static func eventGap(_ loss: EventLedger.Loss, settings: DetectionSettings, at now: Date) -> Finding {
        let count = loss.to - loss.from + 1
        let events = count == 1 ? "event #\(loss.from)" : "\(count) events #\(loss.from)–#\(loss.to)"
        let message: String
        // Evidence names events that exist: the declaration, or the event that came after the hole.
        let evidence: Int64
        switch loss.cause {
        case .declared(let seq):
            message = "\(events) lost on the terminal (declared by event #\(seq))"
            evidence = seq
        case .overdue:
            message = "\(events) never arrived within \(Int(settings.eventGapAfterMinutes)) minutes"
            evidence = loss.to + 1
        case .crowded:
            message = "\(events) given up: more than \(EventLedger.maximumMissingRanges) ranges missing at once"
            evidence = loss.to + 1
        }
        return Finding(rule: .eventGap, severity: .warning, message: message, evidence: [evidence], at: now)
    }

    /// Events numbered absurdly far ahead of the acknowledgement, refused: a reset, broken or tampered agent.
    public static func numberingJump(_ seqs: [Int64], acked: Int64, at now: Date) -> Finding? {
        guard let first = seqs.min() else { return nil }
        let more = seqs.count > 1 ? " (and \(seqs.count - 1) more)" : ""
        return Finding(
            rule: .eventGap, severity: .warning,
            message: "event #\(first)\(more) refused: numbered more than \(EventLedger.maximumAhead) past the "
                + "acknowledged #\(acked)", evidence: [first], at: now)
    }

    /// Gives up the terminal's missing event numbers awaited too long at `now`.
    public static func judgeMissingEvents(watch: inout TerminalWatch, settings: DetectionSettings, now: Date)
        -> [Finding]
    {
        watch.ledger.giveUpOverdue(at: now, after: settings.eventGapAfterMinutes * 60).map {
            eventGap($0, settings: settings, at: now)
        }
    }

    static let tamper = DetectionRule(.tamper, .critical) { _, event, _ in
        guard case .tamper(let sensor) = event.body else { return nil }
        return ("tamper sensor \(sensor) triggered", [event.seq])
    }

    static let simSwap = DetectionRule(.simSwap, .critical) { watch, event, context in
        guard case .sim(let reported) = event.body else { return nil }
        defer { watch.iccid = reported }
        // A SIM taken out is `sim_removed`; the one put back in is judged here.
        guard let iccid = reported else { return nil }
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
        case .transaction(let kind, _, _, _, _, _): what = "\(kind.rawValue) transaction"
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

    /// A sign-in, or a transaction naming its operator, by someone not on the store's roster: per-operator
    /// limits cannot be dodged by inventing names.
    static let unknownOperator = DetectionRule(.unknownOperator, .warning) { _, event, context in
        let op: String
        switch event.body {
        case .login(let id, _, _), .transaction(_, _, _, _, _, let id?): op = id
        default: return nil
        }
        guard !context.roster.isEmpty, !context.roster.contains(op) else { return nil }
        let what = if case .login = event.body { "sign-in" } else { "transaction" }
        return ("\(what) by operator \(op), who is not on the store's roster", [event.seq])
    }
}
