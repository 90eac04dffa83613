import Foundation

/// The rules over a terminal cut off from the network while it runs: a SIM taken out, or heartbeats that
/// report no network for long. Their severity is the merchant's policy while the store is open, and
/// critical after hours.
extension DetectionRules {
    static let connectivityLoss: @Sendable (AgentEvent, DetectionContext) -> AlertSeverity = { event, context in
        context.hours.isOpen(at: event.at, in: context.timeZone)
            ? context.settings.connectivityLossSeverity : .critical
    }

    /// A SIM reported gone where one was seen: a terminal that never had one (Wi-Fi only) reports nothing.
    static let simRemoved = DetectionRule(.simRemoved, severity: connectivityLoss) { watch, event, context in
        guard case .sim(nil) = event.body, watch.iccid != nil else { return nil }
        let hours = context.hours.isOpen(at: event.at, in: context.timeZone) ? "" : ", outside business hours"
        return ("SIM card removed while the terminal was running\(hours)", [event.seq])
    }

    /// What a heartbeat's `network` says when there is none, however it is written.
    static let noNetwork: Set = ["none", "offline", "no_service", "no service", "no_network", "no network"]

    /// `text` in lower case without the white space around it (what every heartbeat's network is read as).
    static func word(_ text: String) -> String {
        let lower = text.lowercased()
        guard let first = lower.firstIndex(where: { !$0.isWhitespace }),
            let last = lower.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(lower[first...last])
    }

    /// Heartbeats saying `"network": "none"` (or `offline`, `no_service`, `no_network`, in any case and
    /// spacing) for `network_blackout_minutes`, by the terminal's believed clock (they arrive once the
    /// network is back). Reported once per blackout; a heartbeat on any network, or one that does not say,
    /// ends it.
    static let networkBlackout = DetectionRule(.networkBlackout, severity: connectivityLoss) { watch, event, context in
        guard case .heartbeat(_, _, let network, _) = event.body else { return nil }
        guard let network, noNetwork.contains(Self.word(network)) else {
            watch.blackoutSince = nil
            watch.blackoutReported = false
            return nil
        }
        let since = min(watch.blackoutSince ?? event.at, event.at)
        watch.blackoutSince = since
        let minutes = event.at.timeIntervalSince(since) / 60
        guard minutes >= context.settings.networkBlackoutMinutes, !watch.blackoutReported else { return nil }
        watch.blackoutReported = true
        return (
            "heartbeats report no network for \(Int(minutes)) minutes while the terminal keeps running", [event.seq]
        )
    }
}
