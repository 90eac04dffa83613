import Foundation
import PosGuardDomain

/// A labelled incident the simulator plays on one terminal, and the alert it must raise.
enum Scenario: String, CaseIterable, Sendable {
    case grabAndRun = "grab_and_run"
    case gangTheftAtNight = "gang_theft_at_night"
    case simSwap = "sim_swap"
    case tamper
    case insiderAfterHoursRefunds = "insider_after_hours_refunds"
    case swappedDevice = "swapped_device"
    case gpsDrift = "gps_drift"

    /// The rule that must fire; nil where the scenario must raise nothing.
    var expected: RuleID? {
        switch self {
        case .grabAndRun, .gangTheftAtNight: .geofenceBreach
        case .simSwap: .simSwap
        case .tamper: .tamper
        case .insiderAfterHoursRefunds: .refundBurst
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
        }
    }
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
