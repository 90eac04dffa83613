import Foundation

/// How far a position fix is believed. A terminal reports its own accuracy, and a thief who claims an
/// accuracy of kilometres keeps any fix's circle over the shop. So a fix's claimed accuracy is believed up
/// to what its source can honestly claim (`plausibleAccuracyM`), and — once the terminal has a history with
/// that source — to `implausible_accuracy_factor` times what its fixes from that source usually claim, though
/// never below half the source's bound (an outdoor history must not make honest indoor fixes lies). Beyond
/// that, the fix is judged at that bound: its position stays evidence, its vagueness no longer shields it.
public struct BelievedFix: Sendable, Equatable {
    /// The fix with the accuracy it is judged at.
    public var fix: Fix
    /// The accuracy the terminal claimed.
    public var claimedM: Double

    /// Whether the claimed accuracy was not believed (an IP location judged coarser than claimed is not doubt).
    public var doubted: Bool { fix.accuracyM < claimedM }

    /// How the doubt reads in a finding, or nothing when the claim was believed.
    var doubt: String {
        guard doubted else { return "" }
        return
            " (it claimed ±\(Int(claimedM)) m, implausible for \(fix.source.rawValue): judged at ±\(Int(fix.accuracyM)) m)"
    }
}

extension AgentEvent.FixSource {
    /// The worst accuracy an honest fix from this source claims: satellite fixes are tens of metres, a few
    /// hundred at worst indoors; Wi-Fi hundreds; a cell sector kilometres; IP geolocation a region.
    public var plausibleAccuracyM: Double {
        switch self {
        case .gps: 500
        case .wifi: 2_000
        case .cell: 20_000
        case .ip: 100_000
        }
    }

    /// Network locations (Wi-Fi, cell, IP) are worked out from what surrounds the terminal; a satellite
    /// fix by the terminal alone, and so the one a spoofer forges.
    public var isSatellite: Bool { self == .gps }

    /// Whether a fix from this source can say on which side of a geofence the terminal is. An IP location
    /// places the carrier's gateway, often a city away whatever accuracy the lookup claims: it never counts
    /// for or against the premises (it is still weighed against a GPS fix, and left vague).
    public var placesTerminals: Bool { self != .ip }
}

extension TerminalWatch {
    /// How many recent accuracies are kept per source, and how many are needed before they count.
    static let accuracyMemory = 16
    static let accuracyHistoryMinimum = 5

    /// The fix as it is believed, in the light of the terminal's history and the thresholds.
    public func believe(_ fix: Fix, settings: DetectionSettings) -> BelievedFix {
        var bound = fix.source.plausibleAccuracyM
        let history = accuracies[fix.source.rawValue] ?? []
        if history.count >= Self.accuracyHistoryMinimum {
            let usual = settings.implausibleAccuracyFactor * history.sorted()[history.count / 2]
            bound = min(bound, max(usual, bound / 2))
        }
        var believed = fix
        // An IP location is never believed better than its source can be: a lookup's claim says nothing.
        believed.accuracyM = fix.source == .ip ? max(fix.accuracyM, bound) : min(fix.accuracyM, bound)
        return BelievedFix(fix: believed, claimedM: fix.accuracyM)
    }

    /// Remembers a fix after every rule judged it: the last of its kind (unless dated before it), and the
    /// accuracy it claimed when that was believed.
    mutating func remember(_ fix: Fix, settings: DetectionSettings) {
        let believed = believe(fix, settings: settings)
        if !believed.doubted {
            accuracies[fix.source.rawValue] = Array(
                ((accuracies[fix.source.rawValue] ?? []) + [fix.accuracyM]).suffix(Self.accuracyMemory))
        }
        if fix.source.isSatellite {
            if believed.fix.at >= (lastSatelliteFix?.at ?? .distantPast) { lastSatelliteFix = believed.fix }
        } else if believed.fix.at >= (lastNetworkFix?.at ?? .distantPast) {
            lastNetworkFix = believed.fix
        }
    }
}
