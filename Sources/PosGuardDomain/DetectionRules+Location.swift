import Foundation

/// The rules over where a terminal says it is. Every fix is judged as it is believed (`BelievedFix`): a
/// claimed accuracy beyond what its source or the terminal's own history makes plausible shields nothing.
extension DetectionRules {
    /// How close in time a satellite and a network fix must be to be compared.
    static let spoofingWindow: TimeInterval = 300

    static let geofenceBreach = DetectionRule(.geofenceBreach, .critical) { watch, event, context in
        guard case .location(let claimed) = event.body, claimed.source.placesTerminals else { return nil }
        let s = context.settings
        let believed = watch.believe(claimed, settings: s)
        let fence = context.geofence
        let distance = fence.distance(toLatitude: claimed.latitude, longitude: claimed.longitude)
        let beyond = distance - believed.fix.accuracyM - fence.radiusM
        // Only a fix whose whole believed circle lies beyond the radius is outside: drift inside the shop
        // never is. One too vague to say (a circle much larger than the shop) is neither outside nor in.
        let outside = beyond > 0
        guard outside || fence.places(believed.fix) else { return nil }
        let needed = s.geofenceConsecutiveFixes
        watch.placings = Array((watch.placings + [.init(seq: event.seq, outside: outside)]).suffix(2 * needed - 1))
        guard outside else {
            if !watch.placings.contains(where: \.outside) { watch.excursionReported = false }
            return nil
        }
        guard !watch.excursionReported else { return nil }
        // One precise fix far beyond the fence is enough; otherwise most of the last fixes outside, so that
        // fixes forged to the shop between real ones do not hide the excursion.
        let far = beyond > s.farFixRadiusMultiple * fence.radiusM && believed.fix.accuracyM <= max(fence.radiusM, 50)
        let away = watch.placings.filter(\.outside).map(\.seq)
        guard far || away.count >= needed else { return nil }
        watch.excursionReported = true
        let metres = Int(distance)
        if far && away.count < needed {
            return (
                "a fix \(metres) m from the store, more than \(Int(s.farFixRadiusMultiple)) times its radius beyond "
                    + "its geofence, accurate to ±\(Int(believed.fix.accuracyM)) m", [event.seq]
            )
        }
        let streak = watch.outsideStreak.suffix(needed)
        let inARow = streak.count >= needed
        let count =
            inARow ? "\(streak.count) fixes in a row" : "\(away.count) of the last \(watch.placings.count) fixes"
        return (
            "\(count) outside the store's geofence, the last \(metres) m from it" + believed.doubt,
            inARow ? Array(streak) : away
        )
    }

    /// Fixes in a row that cannot place the terminal (too vague, or IP locations), whose centres all lie
    /// outside the geofence, for as long as `offline_after_minutes`, from a terminal that precise fixes placed
    /// before: only their vagueness keeps it "inside" (GPS switched off, a coarse network location left on). Once per run; any fix precise
    /// enough to place the terminal, inside or out, ends it. A terminal that never had a precise fix is not
    /// judged: there is nothing it stopped doing.
    static let vagueLocation = DetectionRule(.vagueLocation, .warning) { watch, event, context in
        guard case .location(let claimed) = event.body else { return nil }
        let fence = context.geofence
        let fix = watch.believe(claimed, settings: context.settings).fix
        let distance = fence.distance(toLatitude: fix.latitude, longitude: fix.longitude)
        guard !fence.places(fix) else {
            watch.vagueStreak = []
            watch.placedBefore = true
            return nil
        }
        guard distance > fence.radiusM, watch.placedBefore else {
            // Centred on the shop, a vague fix agrees with it: the run is over.
            watch.vagueStreak = []
            return nil
        }
        // A run with a gap longer than `offline` between its fixes starts again.
        if let last = watch.vagueStreak.last,
            fix.at.timeIntervalSince(last.at) > context.settings.offlineAfterMinutes * 60
        {
            watch.vagueStreak = []
        }
        let s = context.settings
        /// Whether a run of such fixes is long enough to report.
        func due(_ run: [TerminalWatch.Stamp]) -> Bool {
            guard let first = run.first, let last = run.last else { return false }
            return run.count >= s.geofenceConsecutiveFixes
                && last.at.timeIntervalSince(first.at) >= s.offlineAfterMinutes * 60
        }
        let reported = due(watch.vagueStreak)
        watch.vagueStreak.append(.init(seq: event.seq, at: fix.at))
        // The first fix (when the run began) and the latest ones are kept.
        if watch.vagueStreak.count > 20 { watch.vagueStreak.remove(at: 1) }
        let since = watch.vagueStreak[0].at
        guard !reported, due(watch.vagueStreak) else { return nil }
        return (
            "fixes for \(Int(fix.at.timeIntervalSince(since) / 60)) minutes too vague to place "
                + "the terminal (the last ±\(Int(fix.accuracyM)) m, centred \(Int(distance)) m from the store) since its "
                + "last precise one: only their vagueness keeps it inside",
            watch.vagueStreak.map(\.seq)
        )
    }

    /// A satellite fix contradicted by a network location (Wi-Fi, cell, IP) taken within minutes: further
    /// apart than `spoofing_accuracy_multiple` times both accuracies together, plus the distance the terminal
    /// could have covered between them at `max_speed_kmh`. One of them is forged — usually the satellite fix,
    /// pinned to the shop while the terminal is elsewhere.
    static let locationSpoofing = DetectionRule(.locationSpoofing, .critical) { watch, event, context in
        guard case .location(let claimed) = event.body else { return nil }
        let s = context.settings
        let fix = watch.believe(claimed, settings: s).fix
        guard let other = fix.source.isSatellite ? watch.lastNetworkFix : watch.lastSatelliteFix else { return nil }
        let seconds = abs(fix.at.timeIntervalSince(other.at))
        guard seconds <= spoofingWindow else { return nil }
        let apart = fix.distance(to: other)
        let allowed = s.spoofingAccuracyMultiple * (fix.accuracyM + other.accuracyM) + s.maxSpeedKmh / 3.6 * seconds
        guard apart > allowed else { return nil }
        let (satellite, network) = fix.source.isSatellite ? (fix, other) : (other, fix)
        return (
            "the GPS fix (±\(Int(satellite.accuracyM)) m) and the \(network.source.rawValue) location "
                + "(±\(Int(network.accuracyM)) m) \(Int(seconds)) s apart are \(Int(apart)) m from each other, more "
                + "than their accuracies and any travel allow: a forged position", [event.seq]
        )
    }

    /// Two fixes of the same kind further apart than the terminal could have travelled; a satellite fix
    /// against a network one is `locationSpoofing`'s to judge, with the margin their 68 % circles need.
    static let impossibleTravel = DetectionRule(.impossibleTravel, .warning) { watch, event, context in
        guard case .location(let claimed) = event.body,
            let previous = claimed.source.isSatellite ? watch.lastSatelliteFix : watch.lastNetworkFix
        else { return nil }
        let fix = watch.believe(claimed, settings: context.settings).fix
        let seconds = fix.at.timeIntervalSince(previous.at)
        guard seconds > 0 else { return nil }
        let certain = max(0, fix.distance(to: previous) - fix.accuracyM - previous.accuracyM)
        let kmh = certain / seconds * 3.6
        guard kmh > context.settings.maxSpeedKmh else { return nil }
        return ("moved at least \(Int(certain)) m in \(Int(seconds)) s (\(Int(kmh)) km/h)", [event.seq])
    }
}

extension Geofence {
    /// Whether a fix is precise enough to say the terminal is on the premises, or not: its circle at most
    /// four times the store's radius (and at least 100 m).
    func places(_ fix: Fix) -> Bool { fix.source.placesTerminals && fix.accuracyM <= max(4 * radiusM, 100) }
}
