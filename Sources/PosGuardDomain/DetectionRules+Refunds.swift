import Foundation

/// The rules over refunds, the insider's way to take money: per terminal, and — since an insider spreads
/// the work over terminals and colleagues' sign-ins — per store and per operator across the store.
extension DetectionRules {
    static let refundBurst = DetectionRule(.refundBurst, .critical) { watch, event, context in
        guard case .transaction(.refund, let amount, _, let approved, _, _) = event.body else { return nil }
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
    /// store's and its operators' limits across all its terminals are in `storeRefunds`.
    static let refundLimit = DetectionRule(.refundLimit, .critical) { watch, event, context in
        guard case .transaction(.refund, _, let currency, true, _, _) = event.body else { return nil }
        let approved = watch.refunds.filter(\.approved)
        let total = approved.reduce(0) { $0 + $1.amountMinor }
        guard total > context.settings.refundLimitMinor else { return nil }
        return (
            "approved refunds of \(total) \(currency) (minor units) on this terminal in 24 hours exceed the limit of "
                + "\(context.settings.refundLimitMinor)", approved.map(\.seq)
        )
    }

    /// Judges a refund of `terminal` against what its whole store did, remembering it in `store`: a burst of
    /// refunds at the store (`store_refund_burst_count`) or by one operator on any of its terminals
    /// (`refund_burst_count`), and approved refunds within 24 hours over the store's limit or one operator's
    /// (`operator_refund_limit_minor`). The operator is the event's `operator_id`, or else `signedIn`, the
    /// one signed in on the terminal. At most one finding per rule, the store's first; each names this
    /// terminal's refunds as evidence and says how many terminals shared the count.
    public static func storeRefunds(
        _ event: AgentEvent, terminal: UUID, by signedIn: String?, store: inout StoreWatch, context: DetectionContext
    ) -> [Finding] {
        guard case .transaction(.refund, let amount, let currency, let approved, _, let named) = event.body else {
            return []
        }
        let s = context.storeSettings
        let op = named ?? signedIn
        let day = event.at.addingTimeInterval(-86_400)
        store.refunds = Array(
            (store.refunds.filter { $0.at > day }
                + [
                    .init(
                        terminalID: terminal, seq: event.seq, at: event.at, amountMinor: amount, approved: approved,
                        operatorID: op)
                ])
                .suffix(StoreWatch.capacity))
        let since = event.at.addingTimeInterval(-s.refundBurstWindowMinutes * 60)
        let recent = store.refunds.filter { $0.at > since }
        let mine = op.map { op in store.refunds.filter { $0.operatorID == op } } ?? []
        let window = "within \(Int(s.refundBurstWindowMinutes)) minutes"
        /// A finding over `refunds`; `what` says it, given how many terminals they were made on.
        func finding(_ rule: RuleID, _ refunds: [StoreWatch.Refund], _ what: (String) -> String) -> Finding {
            let terminals = Set(refunds.map(\.terminalID)).count
            return Finding(
                rule: rule, severity: .critical, message: what("on \(terminals) terminal\(terminals == 1 ? "" : "s")"),
                evidence: refunds.filter { $0.terminalID == terminal }.map(\.seq), at: event.at)
        }
        var findings: [Finding] = []
        let mineRecent = mine.filter { $0.at > since }
        if recent.count >= s.storeRefundBurstCount {
            findings.append(finding(.refundBurst, recent) { "\(recent.count) refunds \(window) at this store, \($0)" })
        } else if let op, mineRecent.count >= s.refundBurstCount {
            findings.append(
                finding(.refundBurst, mineRecent) { "\(mineRecent.count) refunds \(window) by operator \(op), \($0)" })
        }
        guard approved else { return findings }
        let approvedHere = store.refunds.filter(\.approved)
        let total = approvedHere.reduce(0) { $0 + $1.amountMinor }
        let mineApproved = mine.filter(\.approved)
        let byOperator = mineApproved.reduce(0) { $0 + $1.amountMinor }
        if total > s.refundLimitMinor {
            findings.append(
                finding(.refundLimit, approvedHere) {
                    "approved refunds of \(total) \(currency) (minor units) at this store in 24 hours, \($0), exceed "
                        + "the store's limit of \(s.refundLimitMinor)"
                })
        } else if let op, byOperator > s.operatorRefundLimitMinor {
            findings.append(
                finding(.refundLimit, mineApproved) {
                    "approved refunds of \(byOperator) \(currency) (minor units) by operator \(op) in 24 hours, \($0), "
                        + "exceed the operator's limit of \(s.operatorRefundLimitMinor)"
                })
        }
        return findings
    }
}
