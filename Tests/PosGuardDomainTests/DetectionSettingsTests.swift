import Foundation
import PosGuardDomain
import Testing

@Suite("Detection settings")
struct DetectionSettingsTests {
    let now = Date(timeIntervalSince1970: 1_795_424_400)

    func overrides(refundLimit: Int64? = nil, fixes: Int? = nil) -> DetectionOverrides {
        var o = DetectionOverrides()
        o.refundLimitMinor = refundLimit
        o.geofenceConsecutiveFixes = fixes
        return o
    }

    var store: Store {
        Store(
            id: UUID(), providerID: UUID(), merchantID: UUID(), code: "BER-01", name: "Kreuzberg",
            address: "Oranienstr. 1",
            city: "Berlin", country: "DE", timeZone: "Europe/Berlin", businessHours: BusinessHours(),
            geofence: Geofence(latitude: 52.5010, longitude: 13.4190, radiusM: 150), createdAt: now)
    }

    @Test func theNarrowerLevelWinsAndAbsentFieldsInherit() {
        let merchant = overrides(refundLimit: 50_000, fixes: 4)
        let store = overrides(refundLimit: 70_000)
        let terminal = overrides(fixes: 6)
        #expect(DetectionSettings.effective(merchant: nil) == DetectionSettings())
        let atMerchant = DetectionSettings.effective(merchant: merchant)
        #expect(atMerchant.refundLimitMinor == 50_000 && atMerchant.geofenceConsecutiveFixes == 4)
        let atStore = DetectionSettings.effective(merchant: merchant, store: store)
        #expect(atStore.refundLimitMinor == 70_000 && atStore.geofenceConsecutiveFixes == 4)
        let atTerminal = DetectionSettings.effective(merchant: merchant, store: store, terminal: terminal)
        #expect(atTerminal.refundLimitMinor == 70_000 && atTerminal.geofenceConsecutiveFixes == 6)
        #expect(
            DetectionSettings.effective(merchant: nil, store: nil, terminal: terminal).geofenceConsecutiveFixes == 6)
    }

    @Test func theStoresRefundLimitIsTakenBeforeTheTerminalsOverride() {
        let terminal = Terminal(
            id: UUID(), providerID: UUID(), merchantID: UUID(), storeID: UUID(), make: "Acme", model: "P1",
            serial: "S1", tid: "T0000001", mid: "M1", firmwareVersion: nil, appVersion: nil,
            iccid: "8949000000000000001",
            state: .active, createdAt: now, updatedAt: now)
        let context = DetectionContext(
            terminal: terminal, store: store, roster: ["op-1"], merchantOverrides: overrides(refundLimit: 50_000),
            storeOverrides: nil, terminalOverrides: overrides(refundLimit: 10_000))
        #expect(context.settings.refundLimitMinor == 10_000, "the terminal's own limit")
        #expect(context.storeRefundLimitMinor == 50_000, "the store's limit ignores one terminal's override")
        #expect(context.timeZone.identifier == "Europe/Berlin" && context.registeredICCID == terminal.iccid)
        #expect(context.roster == ["op-1"] && context.geofence == store.geofence)
    }

    @Test func theEvasionThresholdsAreCheckedAndApplied() throws {
        var o = DetectionOverrides()
        o.clockSkewMinutes = 0
        o.implausibleAccuracyFactor = 1
        o.farFixRadiusMultiple = 1
        o.silentOffPremisesMinutes = 0.5
        o.spoofingAccuracyMultiple = 0
        o.networkBlackoutMinutes = 2000
        o.storeRefundBurstCount = 1
        o.operatorRefundLimitMinor = -1
        do {
            try o.validate()
            Issue.record("out-of-range thresholds were accepted")
        } catch {
            #expect(
                Set(error.errors.map(\.field)) == [
                    "clock_skew_minutes", "implausible_accuracy_factor", "far_fix_radius_multiple",
                    "silent_off_premises_minutes", "spoofing_accuracy_multiple", "network_blackout_minutes",
                    "store_refund_burst_count", "operator_refund_limit_minor",
                ])
        }
        var good = DetectionOverrides()
        good.clockSkewMinutes = 2
        good.connectivityLossSeverity = .critical
        good.silentOffPremisesMinutes = 1
        good.storeRefundBurstCount = 4
        try good.validate()
        let s = DetectionSettings.effective(merchant: nil, store: good)
        #expect(s.clockSkewMinutes == 2 && s.connectivityLossSeverity == .critical)
        #expect(s.silentOffPremisesMinutes == 1 && s.storeRefundBurstCount == 4)
        #expect(s.farFixRadiusMultiple == 20 && s.operatorRefundLimitMinor == 100_000, "the rest inherit")
    }

    @Test func aZoneTheServerNoLongerKnowsReadsAsUTC() {
        var unknown = store
        unknown.timeZone = "Mars/Olympus_Mons"
        #expect(throws: ValidationFailure.self) { try unknown.validate() }
        #expect(unknown.zone == TimeZone(identifier: "UTC"))
        #expect(store.zone.identifier == "Europe/Berlin")
    }
}
