import Foundation
import PosGuardDomain
import PosGuardStorage
import SQLKit

/// Turns a newly raised alert into messages — a delivery for every webhook that hears about the terminal —
/// written in the alert's own transaction (an outbox), so no alert is lost between commit and sending.
struct Notifier: Sendable {
    let runtime: Runtime
    let repository = NotificationRepository()

    func alertRaised(_ alert: Alert, terminal: Terminal, at now: Date, on db: any SQLDatabase) async throws {
        let data = JSONValue.object([
            "alert": Self.json(alert),
            "terminal": .object([
                "id": .string(terminal.id.uuidString), "tid": .string(terminal.tid), "serial": .string(terminal.serial),
                "make": .string(terminal.make), "model": .string(terminal.model),
                "store_id": .string(terminal.storeID.uuidString),
                "merchant_id": .string(terminal.merchantID.uuidString), "state": .string(terminal.state.rawValue),
            ]),
        ])
        for (hook, _) in try await repository.subscribers(
            provider: terminal.providerID, merchant: terminal.merchantID, on: db)
        where alert.severity >= hook.minimumSeverity {
            let id = runtime.ids.next()
            try await repository.insert(
                WebhookDelivery(
                    id: id, webhookID: hook.id, eventType: "alert.raised",
                    payload: Webhooks.envelope(id: id, type: "alert.raised", at: now, data: data), createdAt: now),
                on: db)
        }
    }

    static func json(_ alert: Alert) -> JSONValue {
        (try? JSONValue.parse(Array(AuditTrail.encoder.encode(alert)))) ?? .null
    }
}
