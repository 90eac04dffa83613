import Foundation
import PosGuardDomain
import Testing

@Suite("Alert handling")
struct AlertHandlingTests {
    let now = Date(timeIntervalSince1970: 1_795_424_400)
    var alert: Alert {
        Alert(
            id: UUID(), providerID: UUID(), merchantID: UUID(), storeID: UUID(), terminalID: UUID(),
            finding: Finding(rule: .tamper, severity: .critical, message: "tamper", evidence: [1], at: now))
    }

    @Test func anOpenAlertIsAcknowledgedOnce() throws {
        let acknowledged = try alert.acknowledged(by: "manager@shop.example", at: now)
        #expect(acknowledged.status == .acknowledged)
        #expect(acknowledged.acknowledgedAt == now && acknowledged.acknowledgedBy == "manager@shop.example")
        #expect(throws: Alert.Refusal(message: "only an open alert can be acknowledged; this one is acknowledged")) {
            try acknowledged.acknowledged(by: "admin@shop.example", at: now)
        }
    }

    @Test func anOpenOrAcknowledgedAlertIsResolvedAndThenFinal() throws {
        let acknowledged = try alert.acknowledged(by: "manager@shop.example", at: now)
        for before in [alert, acknowledged] {
            let resolved = try before.resolved(by: "admin@shop.example", reason: "drill", falsePositive: true, at: now)
            #expect(resolved.status == .resolved && resolved.resolvedAt == now)
            #expect(resolved.resolvedBy == "admin@shop.example" && resolved.resolution == "drill")
            #expect(resolved.falsePositive)
            #expect(resolved.acknowledgedBy == before.acknowledgedBy, "who acknowledged it is kept")
            #expect(throws: Alert.Refusal(message: "the alert is already resolved")) {
                try resolved.resolved(by: "admin@shop.example", reason: "again", falsePositive: false, at: now)
            }
            #expect(throws: Alert.Refusal(message: "only an open alert can be acknowledged; this one is resolved")) {
                try resolved.acknowledged(by: "admin@shop.example", at: now)
            }
        }
    }
}
