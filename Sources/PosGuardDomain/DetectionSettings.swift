import Foundation

/// The thresholds detection works with. Defaults suit most shops; a merchant, a store or a single
/// terminal may override any of them (`DetectionOverrides`), the narrower level winning.
public struct DetectionSettings: Sendable, Equatable, Codable {
    public var geofenceConsecutiveFixes = 3
    public var maxSpeedKmh = 300.0
    public var offlineAfterMinutes = 30.0
    public var missingAfterHours = 24.0
    public var failedLoginBurst = 5
    public var failedLoginWindowMinutes = 5.0
    public var refundBurstCount = 3
    public var refundBurstWindowMinutes = 10.0
    /// Approved refunds over 24 hours above this total (minor units) are an anomaly.
    public var refundLimitMinor: Int64 = 100_000
    /// SIM cards (ICCIDs) a terminal may carry besides its registered one.
    public var allowedICCIDs: [String] = []
    /// How long missing event numbers are awaited before they are given up as lost (`event_gap`).
    public var eventGapAfterMinutes = 10.0
    /// On a critical alert, mark the terminal suspected stolen and queue a lock.
    public var autoLockOnCritical = true
    /// The screening gateway declines payments outside the store's business hours.
    public var declineOutsideHours = false
    /// How far an online terminal's clock may disagree with the server's before its events are judged by
    /// the time they were received (`clock_skew`); events further ahead than this are refused.
    public var clockSkewMinutes = 5.0
    /// A fix claiming an accuracy more than this many times the terminal's usual one from the same source is
    /// judged at that bound (as is one beyond what its source can honestly claim).
    public var implausibleAccuracyFactor = 10.0
    /// One precise fix further than this many store radii beyond the geofence is a breach on its own.
    public var farFixRadiusMultiple = 20.0
    /// A terminal whose last fix was outside and that then says nothing for this long is `silent_off_premises`.
    public var silentOffPremisesMinutes = 3.0
    /// Satellite and network fixes further apart than this many times their accuracies together (plus the
    /// distance the terminal could have travelled between them) are `location_spoofing`.
    public var spoofingAccuracyMultiple = 3.0
    /// Heartbeats reporting no network for this long are a `network_blackout`.
    public var networkBlackoutMinutes = 15.0
    /// The severity of a SIM removed or a network blackout while the store is open (always critical after hours).
    public var connectivityLossSeverity = AlertSeverity.warning
    /// Refunds within `refundBurstWindowMinutes` across all a store's terminals that are a burst.
    public var storeRefundBurstCount = 6
    /// Approved refunds by one operator over 24 hours, on any of the store's terminals, above this total.
    public var operatorRefundLimitMinor: Int64 = 100_000

    public init() {}

    /// The settings in force at one place of the tree: the defaults, then the merchant's overrides, the
    /// store's, then the terminal's own, the narrower level winning. A level without overrides (or left out,
    /// to ask about a broader place) inherits.
    public static func effective(
        merchant: DetectionOverrides?, store: DetectionOverrides? = nil, terminal: DetectionOverrides? = nil
    ) -> DetectionSettings {
        [merchant, store, terminal].reduce(DetectionSettings()) { s, o in o.map(s.applying) ?? s }
    }

    public func applying(_ o: DetectionOverrides) -> DetectionSettings {
        var s = self
        if let v = o.geofenceConsecutiveFixes { s.geofenceConsecutiveFixes = v }
        if let v = o.maxSpeedKmh { s.maxSpeedKmh = v }
        if let v = o.offlineAfterMinutes { s.offlineAfterMinutes = v }
        if let v = o.missingAfterHours { s.missingAfterHours = v }
        if let v = o.failedLoginBurst { s.failedLoginBurst = v }
        if let v = o.failedLoginWindowMinutes { s.failedLoginWindowMinutes = v }
        if let v = o.refundBurstCount { s.refundBurstCount = v }
        if let v = o.refundBurstWindowMinutes { s.refundBurstWindowMinutes = v }
        if let v = o.refundLimitMinor { s.refundLimitMinor = v }
        if let v = o.allowedICCIDs { s.allowedICCIDs = v }
        if let v = o.eventGapAfterMinutes { s.eventGapAfterMinutes = v }
        if let v = o.autoLockOnCritical { s.autoLockOnCritical = v }
        if let v = o.declineOutsideHours { s.declineOutsideHours = v }
        if let v = o.clockSkewMinutes { s.clockSkewMinutes = v }
        if let v = o.implausibleAccuracyFactor { s.implausibleAccuracyFactor = v }
        if let v = o.farFixRadiusMultiple { s.farFixRadiusMultiple = v }
        if let v = o.silentOffPremisesMinutes { s.silentOffPremisesMinutes = v }
        if let v = o.spoofingAccuracyMultiple { s.spoofingAccuracyMultiple = v }
        if let v = o.networkBlackoutMinutes { s.networkBlackoutMinutes = v }
        if let v = o.connectivityLossSeverity { s.connectivityLossSeverity = v }
        if let v = o.storeRefundBurstCount { s.storeRefundBurstCount = v }
        if let v = o.operatorRefundLimitMinor { s.operatorRefundLimitMinor = v }
        return s
    }
}

/// Overrides of detection settings at one level (merchant, store or terminal); absent fields inherit.
public struct DetectionOverrides: Sendable, Equatable, Codable {
    public var geofenceConsecutiveFixes: Int?
    public var maxSpeedKmh: Double?
    public var offlineAfterMinutes: Double?
    public var missingAfterHours: Double?
    public var failedLoginBurst: Int?
    public var failedLoginWindowMinutes: Double?
    public var refundBurstCount: Int?
    public var refundBurstWindowMinutes: Double?
    public var refundLimitMinor: Int64?
    public var allowedICCIDs: [String]?
    public var eventGapAfterMinutes: Double?
    public var autoLockOnCritical: Bool?
    public var declineOutsideHours: Bool?
    public var clockSkewMinutes: Double?
    public var implausibleAccuracyFactor: Double?
    public var farFixRadiusMultiple: Double?
    public var silentOffPremisesMinutes: Double?
    public var spoofingAccuracyMultiple: Double?
    public var networkBlackoutMinutes: Double?
    public var connectivityLossSeverity: AlertSeverity?
    public var storeRefundBurstCount: Int?
    public var operatorRefundLimitMinor: Int64?

    public init() {}

    public func validate() throws(ValidationFailure) {
        var v = Validator()
        func range<T: Comparable>(_ value: T?, _ field: String, _ r: ClosedRange<T>) {
            if let value { v.check(r.contains(value), field, "must be between \(r.lowerBound) and \(r.upperBound)") }
        }
        range(geofenceConsecutiveFixes, "geofence_consecutive_fixes", 1...20)
        range(maxSpeedKmh, "max_speed_kmh", 50...2000)
        range(offlineAfterMinutes, "offline_after_minutes", 1...10_080)
        range(missingAfterHours, "missing_after_hours", 1...720)
        range(failedLoginBurst, "failed_login_burst", 2...100)
        range(failedLoginWindowMinutes, "failed_login_window_minutes", 1...1440)
        range(refundBurstCount, "refund_burst_count", 2...100)
        range(refundBurstWindowMinutes, "refund_burst_window_minutes", 1...1440)
        range(refundLimitMinor, "refund_limit_minor", 0...1_000_000_000_000)
        range(eventGapAfterMinutes, "event_gap_after_minutes", 1...1440)
        range(clockSkewMinutes, "clock_skew_minutes", 1...1440)
        range(implausibleAccuracyFactor, "implausible_accuracy_factor", 2...1000)
        range(farFixRadiusMultiple, "far_fix_radius_multiple", 2...1000)
        range(silentOffPremisesMinutes, "silent_off_premises_minutes", 1...1440)
        range(spoofingAccuracyMultiple, "spoofing_accuracy_multiple", 1...100)
        range(networkBlackoutMinutes, "network_blackout_minutes", 1...1440)
        range(storeRefundBurstCount, "store_refund_burst_count", 2...1000)
        range(operatorRefundLimitMinor, "operator_refund_limit_minor", 0...1_000_000_000_000)
        for (i, iccid) in (allowedICCIDs ?? []).enumerated() {
            v.check(
                (18...22).contains(iccid.count) && iccid.allSatisfy(\.isASCIIDigit), "allowed_iccids[\(i)]",
                "must be 18 to 22 digits")
        }
        if !v.errors.isEmpty { throw ValidationFailure(v.errors) }
    }
}
