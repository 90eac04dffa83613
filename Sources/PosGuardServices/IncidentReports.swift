import Foundation
import PosGuardDomain
import PosGuardStorage

/// What an incident cost and how it ended: its impact (affected payments and customers, estimated loss,
/// payment downtime), the customers' contacts and the notices sent to them, and the closing report. Reads
/// follow the incident's rules (police liaison officers read what was granted to them, every read recorded);
/// changes are refused to them.
public struct IncidentReports: Sendable {
    /// A customer's contact as the merchant supplies it, for one masked card.
    public struct ContactDraft: Sendable, Decodable {
        public var email: String
        public var name: String?

        public init(email: String, name: String? = nil) {
            self.email = email
            self.name = name
        }
    }

    /// What the notices did: how many were queued, and the cards without a contact (for the merchant's own
    /// channels, from the customer list).
    public struct NoticeRun: Sendable, Encodable {
        public var sent: Int
        public var withoutContact: [String]
    }

    /// The most events and declines of one terminal counted into an impact.
    static let limit = 10_000

    let desk: IncidentDesk
    var runtime: Runtime { desk.runtime }
    let incidents = IncidentRepository()
    var audit: AuditLog { AuditLog(runtime: runtime) }

    init(desk: IncidentDesk) { self.desk = desk }

    /// The impact of an incident, as of now (or its close).
    public func impact(_ id: UUID, by caller: Caller) async throws -> IncidentImpact {
        let now = runtime.now()
        return try await runtime.database.transaction { db in
            let incident = try await desk.readable(id, by: caller, at: now, on: db)
            let impact = try await compute(incident, at: now, on: db)
            return caller.role == .policeLiaison ? impact.withoutContacts : impact
        }
    }

    /// Saves the contact of the customer behind one masked card of the incident.
    public func setContact(_ id: UUID, card: String, _ draft: ContactDraft, by caller: Caller) async throws
        -> IncidentImpact.Contact
    {
        let now = runtime.now()
        var v = Validator()
        let email = EmailAddress.normalise(draft.email)
        v.check(EmailAddress.isValid(email), "email", "must be an email address")
        let name = v.text(draft.name, "name", max: 200, required: false)
        guard MaskedCard.isValid(card) else {
            throw ValidationFailure([
                FieldError(
                    "card", "must be a masked card: at most the first six and the last four digits, e.g. ****1234")
            ])
        }
        try v.finish()
        let contact = IncidentImpact.Contact(card: card, email: email, name: name?.isEmpty == false ? name : nil)
        try await runtime.database.transaction { db in
            let incident = try await desk.changeable(id, by: caller, at: now, on: db)
            try await incidents.setContact(contact, of: id, by: caller.name, at: now, on: db)
            try await audit.record(
                caller, "incident.customer", target: "incident", id: id, provider: incident.providerID,
                after: contact, at: now, on: db)
        }
        return contact
    }

    /// Sends the bilingual notice to every affected customer with a contact, through the email outbox; each
    /// notice is written on the incident's log (so it shows on the timeline) and in the audit log.
    public func notifyCustomers(_ id: UUID, by caller: Caller) async throws -> NoticeRun {
        let now = runtime.now()
        return try await runtime.database.transaction { db in
            let incident = try await desk.changeable(id, by: caller, at: now, on: db)
            let impact = try await compute(incident, at: now, on: db)
            guard
                let store = try await StoreRepository().find(
                    incident.storeID, in: .provider(incident.providerID), on: db)
            else { throw ServiceError.notFound("store") }
            let outbox = NotificationRepository(secrets: runtime.secrets)
            var sent = 0
            for customer in impact.customers {
                guard let email = customer.email else { continue }
                let message = CustomerNotice.compose(
                    incident, customer: customer, payments: impact.payments, storeName: store.name,
                    timeZone: store.zone)
                try await outbox.insert(
                    NotificationRepository.Email(
                        id: runtime.ids.next(), providerID: incident.providerID, recipient: email,
                        subject: message.subject, body: message.body, attempts: 0, createdAt: now),
                    on: db)
                try await desk.log(
                    id, "notice", "customer notice sent for card \(customer.card)", by: caller, at: now, on: db)
                try await audit.record(
                    caller, "incident.notice", target: "incident", id: id, provider: incident.providerID,
                    after: ["card": customer.card, "recipient": email], at: now, on: db)
                sent += 1
            }
            return NoticeRun(sent: sent, withoutContact: impact.customers.filter { $0.email == nil }.map(\.card))
        }
    }

    /// The affected customers as CSV, for the merchant's own channels: `card,payments,approved,email,name`
    /// (masked cards only; the approved amounts as `12.34 EUR`, several separated by `; `).
    public func customersCSV(_ id: UUID, by caller: Caller) async throws -> String {
        let impact = try await impact(id, by: caller)
        return CSV.record(["card", "payments", "approved", "email", "name"])
            + impact.customers.map {
                CSV.record([
                    $0.card, String($0.payments),
                    $0.approvedMinor.map { CustomerNotice.amount($0.amountMinor, $0.currency) }
                        .joined(separator: "; "),
                    $0.email ?? "", $0.name ?? "",
                ])
            }.joined()
    }

    /// The closing report (also readable while the incident is open): summary, timeline, impact, evidence,
    /// tasks and lessons learned. Police liaison officers read it without the customers' contacts.
    public func report(_ id: UUID, by caller: Caller) async throws -> IncidentReport {
        let now = runtime.now()
        let timeline = try await desk.timeline(id, by: caller)
        return try await runtime.database.transaction { db in
            // The timeline's read already recorded a police officer's read; this one finds the incident again.
            guard
                let incident =
                    caller.role == .policeLiaison
                    ? try await incidents.find(
                        id, grantedTo: caller.userID ?? UUID(), in: .provider(caller.scope.providerID), on: db)
                    : try await incidents.find(id, in: caller.scope, on: db)
            else { throw ServiceError.notFound("incident") }
            let store = try await StoreRepository().find(incident.storeID, in: .provider(incident.providerID), on: db)
            let report = IncidentReport(
                incident: incident, storeName: store?.name ?? "", tasks: try await incidents.tasks(of: id, on: db),
                timeline: timeline, impact: try await compute(incident, at: now, on: db),
                evidence: try await EvidenceRepository().list(of: id, on: db), generatedAt: now)
            return caller.role == .policeLiaison ? report.withoutContacts : report
        }
    }

    /// Gathers what the impact is computed from: the incident terminals' transactions and declines since the
    /// theft, the lifecycle history of every terminal of the store, and the customers' contacts.
    func compute(_ incident: Incident, at now: Date, on db: UnitOfWork) async throws -> IncidentImpact {
        let scope = Scope.provider(incident.providerID)
        let since = incident.theftAt
        var events: [(terminalID: UUID, event: AgentEvent)] = []
        var declines: [ScreeningDecline] = []
        for terminal in incident.terminalIDs {
            for stored in try await EventRepository().events(
                of: terminal, type: "transaction", since: since, limit: Self.limit, in: scope, on: db)
            {
                guard case .object(let object)? = try? JSONValue.parse(Array(stored.body.utf8)),
                    case .success(let event) = AgentEventParsing.parse(object, strict: false)
                else { continue }
                events.append((terminal, event))
            }
            var cursor: Cursor? = nil
            repeat {
                let page = try await ScreeningRepository().declines(
                    in: scope, terminal: terminal, after: cursor, limit: 500, on: db)
                declines += page.items.filter { $0.at >= since }
                cursor = page.next
            } while cursor != nil && declines.count < Self.limit
        }
        let terminals = TerminalRepository()
        var history: [TerminalTransition] = []
        var cursor: Cursor? = nil
        repeat {
            let page = try await terminals.list(
                in: scope, filter: TerminalFilter(storeID: incident.storeID), after: cursor, limit: 500, on: db)
            for terminal in page.items { history += try await terminals.history(of: terminal.id, in: scope, on: db) }
            cursor = page.next
        } while cursor != nil
        return IncidentImpact.compute(
            incident: incident, events: events, declines: declines, history: history,
            contacts: try await incidents.contacts(of: incident.id, on: db), until: incident.closedAt ?? now)
    }
}
