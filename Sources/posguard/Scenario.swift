import Foundation
import PosGuardDomain

/// A labelled incident the simulator plays on one terminal, and the alert it must raise. Besides ordinary
/// thefts, the evasions a thief who has read the rules would try.
enum Scenario: String, CaseIterable, Sendable {
    case grabAndRun = "grab_and_run"
    case gangTheftAtNight = "gang_theft_at_night"
    case simSwap = "sim_swap"
    case tamper
    case insiderAfterHoursRefunds = "insider_after_hours_refunds"
    case swappedDevice = "swapped_device"
    case gpsDrift = "gps_drift"
    /// Carried 3 km off, every fix claiming an accuracy of ±5 km so its circle still covers the shop.
    case vagueAccuracyEscape = "vague_accuracy_escape"
    /// Used after hours, the sale stamped nine hours earlier, in hours.
    case backdatedAfterHoursSale = "backdated_after_hours_sale"
    /// A batch stamped three days in the future.
    case futureStampedEvents = "future_stamped_events"
    /// Carried 8 km off with GPS switched off: only IP locations of ±20 km, whose circles cover the shop.
    case gpsOffVagueNetwork = "gps_off_vague_network"
    /// GPS forged to the shop while the cell the terminal uses is 50 km away.
    case gpsPinnedCellAway = "gps_pinned_cell_away"
    /// The SIM taken out of the running terminal.
    case simPulled = "sim_pulled"
    /// Half an hour of heartbeats reporting no network.
    case networkBlackout = "network_blackout"
    /// One precise fix 5 km away, then nothing more.
    case oneFarFixThenSilence = "one_far_fix_then_silence"
    /// One fix just outside, then nothing more (the simulator sets this terminal's
    /// `silent_off_premises_minutes` to 1 so the run stays short, and waits for it).
    case slippedOutThenSilent = "slipped_out_then_silent"
    /// One operator's refunds spread over two terminals of a store, each under its own burst threshold.
    case insiderSplitRefunds = "insider_split_refunds"

    /// The rule that must fire; nil where the scenario must raise nothing.
    var expected: RuleID? {
        switch self {
        case .grabAndRun, .gangTheftAtNight, .vagueAccuracyEscape, .oneFarFixThenSilence: .geofenceBreach
        case .simSwap: .simSwap
        case .tamper: .tamper
        case .insiderAfterHoursRefunds, .insiderSplitRefunds: .refundBurst
        case .backdatedAfterHoursSale, .futureStampedEvents: .clockSkew
        case .gpsPinnedCellAway: .locationSpoofing
        case .gpsOffVagueNetwork: .vagueLocation
        case .simPulled: .simRemoved
        case .networkBlackout: .networkBlackout
        case .slippedOutThenSilent: .silentOffPremises
        case .swappedDevice, .gpsDrift: nil
        }
    }

    /// When in the run it starts (fraction of the simulated span), and whether it needs the store closed.
    var start: (fraction: Double, whenClosed: Bool?) {
        switch self {
        case .grabAndRun: (0.25, false)
        case .gangTheftAtNight: (0.35, true)
        case .simSwap: (0.5, nil)
        case .tamper: (0.55, nil)
        case .insiderAfterHoursRefunds: (0.6, true)
        case .swappedDevice: (0.65, nil)
        case .gpsDrift: (0, nil)
        case .vagueAccuracyEscape: (0.3, nil)
        case .backdatedAfterHoursSale: (0.4, true)
        case .futureStampedEvents: (0.45, nil)
        case .gpsPinnedCellAway: (0.5, nil)
        case .gpsOffVagueNetwork: (0.4, nil)
        case .simPulled: (0.55, nil)
        case .networkBlackout: (0.6, nil)
        case .oneFarFixThenSilence: (0.7, nil)
        case .slippedOutThenSilent: (0.8, nil)
        case .insiderSplitRefunds: (0.45, false)
        }
    }

    /// Whether the terminal is carried off: it stops reporting fixes from the shop.
    var carriesOff: Bool {
        [.grabAndRun, .gangTheftAtNight, .vagueAccuracyEscape, .gpsPinnedCellAway, .gpsOffVagueNetwork].contains(self)
            || silences
    }

    /// Whether the terminal falls silent for good once its scenario has begun.
    var silences: Bool { self == .oneFarFixThenSilence || self == .slippedOutThenSilent }

    /// Whether the server must refuse some of its events (the refusal is the point).
    var expectsRefusals: Bool { self == .futureStampedEvents }
}

/// What happened to one scenario, for the final report.
struct ScenarioResult: Sendable {
    var scenario: Scenario
    var tid: String
    var firstEvidenceAt: Date?
    var firstEvidenceReal: ContinuousClock.Instant?
    var detectedAt: Date?
    var detectedReal: ContinuousClock.Instant?
    var note: String = ""

    var detected: Bool { detectedAt != nil }
}
