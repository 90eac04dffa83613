import Foundation
import PosGuardDomain
import PosGuardStorage

/// Turns a newly raised alert into messages — a delivery for every webhook that hears about the terminal —
/// written in the alert's own transaction (an outbox), so no alert is lost between commit and sending.
struct Notifier: Sendable {
    let runtime: Runtime
    /// Whether email is configured; without it no email is queued.
    let email: Bool
    var repository: NotificationRepository { NotificationRepository(secrets: runtime.secrets) }

    func alertRaised(_ alert: Alert, terminal: Terminal, at now: Date, on db: UnitOfWork) async throws {
        try await email(alert, terminal: terminal, at: now, on: db)
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

    /// Queues an email about the alert to the store's managers and the merchant's security contact, each in
    /// their own language.
    func email(_ alert: Alert, terminal: Terminal, at now: Date, on db: UnitOfWork) async throws {
        guard email,
            let store = try await StoreRepository().find(terminal.storeID, in: .provider(terminal.providerID), on: db)
        else { return }
        let recipients = try await recipients(store: store, merchant: terminal.merchantID, on: db)
        let facts = AlertEmail.Facts(
            alert: alert, terminal: terminal, storeName: store.name, timeZone: store.zone)
        for (address, locale) in recipients {
            let message = AlertEmail.compose(facts, locale: locale)
            try await repository.insert(
                NotificationRepository.Email(
                    id: runtime.ids.next(), providerID: terminal.providerID, recipient: address,
                    subject: message.subject,
                    body: message.body, attempts: 0, createdAt: now),
                on: db)
        }
    }

    /// The store's managers and the merchant's security contact, each with their language.
    private func recipients(store: Store, merchant: UUID, on db: UnitOfWork) async throws -> [(String, User.Locale)] {
        let users = UserRepository(secrets: runtime.secrets)
        var recipients = try await users.users(role: .storeManager, store: store.id, on: db).map {
            ($0.email, $0.locale)
        }
        if let contact = try await MerchantRepository().find(merchant, in: .provider(store.providerID), on: db)?
            .securityContactEmail, !recipients.contains(where: { $0.0 == contact })
        {
            recipients.append((contact, try await users.user(email: contact, on: db)?.locale ?? .en))
        }
        return recipients
    }

    /// Tells the provider's and the merchant's webhooks of a new incident (`incident.opened`, whatever their
    /// severity threshold: an incident is always news), and emails the store's managers and the merchant's
    /// security contact.
    func incidentOpened(_ incident: Incident, terminals: [Terminal], at now: Date, on db: UnitOfWork) async throws {
        let data = JSONValue.object([
            "incident": (try? JSONValue.parse(Array(AuditLog.encoder.encode(incident)))) ?? .null,
            "terminals": .array(terminals.map { .object(["id": .string($0.id.uuidString), "tid": .string($0.tid)]) }),
        ])
        for (hook, _) in try await repository.subscribers(
            provider: incident.providerID, merchant: incident.merchantID, on: db)
        {
            let id = runtime.ids.next()
            try await repository.insert(
                WebhookDelivery(
                    id: id, webhookID: hook.id, eventType: "incident.opened",
                    payload: Webhooks.envelope(id: id, type: "incident.opened", at: now, data: data), createdAt: now),
                on: db)
        }
        guard email,
            let store = try await StoreRepository().find(incident.storeID, in: .provider(incident.providerID), on: db)
        else { return }
        for (address, locale) in try await recipients(store: store, merchant: incident.merchantID, on: db) {
            let message = IncidentEmail.compose(
                incident, terminals: terminals, storeName: store.name, timeZone: store.zone, locale: locale)
            try await repository.insert(
                NotificationRepository.Email(
                    id: runtime.ids.next(), providerID: incident.providerID, recipient: address,
                    subject: message.subject, body: message.body, attempts: 0, createdAt: now),
                on: db)
        }
    }

    static func json(_ alert: Alert) -> JSONValue {
        (try? JSONValue.parse(Array(AuditLog.encoder.encode(alert)))) ?? .null
    }
}
