import Foundation

/// What a theft cost: the payments made on the incident's terminals and declined by the gateway since the
/// theft, the customers whose cards they touched (masked card data only), the estimated loss and how long the
/// store could not take payments. A pure function of the terminals' transaction events, the gateway's declines
/// and the store's terminal history.
public struct IncidentImpact: Sendable, Equatable, Codable {
    /// One payment on an incident terminal since the theft.
    public struct Payment: Sendable, Equatable, Codable {
        public var at: Date
        public var terminalID: UUID?
        /// `sale`, `refund` or `void` for the terminal's own payments; `sale` for the gateway's declines.
        public var kind: String
        public var amountMinor: Int64
        public var currency: String
        /// The masked card (first six and last four digits at most), or `****1234` when only the last four
        /// digits are known; nil when the terminal reported no card.
        public var card: String?
        /// `approved`, `declined` (by the card's bank, as the terminal reported) or `declined_by_screening`.
        public var result: String
    }

    /// A card the payments touched, and who to tell about it when the merchant knows.
    public struct Customer: Sendable, Equatable, Codable {
        public var card: String
        public var payments: Int
        public var approvedMinor: [Amount]
        public var email: String?
        public var name: String?
    }

    public struct Amount: Sendable, Equatable, Codable {
        public var currency: String
        public var amountMinor: Int64
    }

    /// A customer's contact, as the merchant supplied it.
    public struct Contact: Sendable, Equatable, Codable {
        public var card: String
        public var email: String
        public var name: String?

        public init(card: String, email: String, name: String?) {
            self.card = card
            self.email = email
            self.name = name
        }
    }

    /// The start of the window: discovery minus the incident's look-back.
    public var since: Date
    public var until: Date
    public var payments: [Payment]
    public var customers: [Customer]
    /// Approved sales and refunds after the theft, per currency, plus the terminals' value in its currency.
    public var estimatedLoss: [Amount]
    /// Seconds since the first incident terminal left `active` during which the store had no active terminal.
    public var downtimeSeconds: Double
    public var downtimeSince: Date?

    /// Kinds of the terminal's own payments that cost money when approved after a theft: a sale charged a card
    /// the merchant may have to refund, a refund paid money out. A void only cancels another payment.
    static let costly: Set<AgentEvent.TransactionKind> = [.sale, .refund]

    /// Computes the impact of an incident.
    /// - Parameters:
    ///   - events: the incident terminals' events (any type; only transactions since the theft count).
    ///   - declines: the gateway's declines of the incident terminals.
    ///   - history: every lifecycle move of every terminal of the store, in any order.
    ///   - contacts: the customers' contacts by masked card.
    ///   - until: now, or the incident's close.
    public static func compute(
        incident: Incident, events: [(terminalID: UUID, event: AgentEvent)], declines: [ScreeningDecline],
        history: [TerminalTransition], contacts: [Contact], until: Date
    ) -> IncidentImpact {
        let since = incident.theftAt
        var payments: [Payment] = []
        for (terminal, event) in events where event.at >= since && event.at <= until {
            guard case .transaction(let kind, let amount, let currency, let approved, let last4, _) = event.body else {
                continue
            }
            payments.append(
                Payment(
                    at: event.at, terminalID: terminal, kind: kind.rawValue, amountMinor: amount, currency: currency,
                    card: last4.map { "****" + $0 }, result: approved ? "approved" : "declined"))
        }
        for d in declines where d.at >= since && d.at <= until {
            payments.append(
                Payment(
                    at: d.at, terminalID: d.terminalID, kind: AgentEvent.TransactionKind.sale.rawValue,
                    amountMinor: d.amountMinor, currency: d.currency, card: d.panMasked,
                    result: "declined_by_screening"))
        }
        // Time order; payments at the same moment keep the terminals' order, then the gateway's.
        payments = payments.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
            .map(\.element)

        let contactByCard = Dictionary(contacts.map { ($0.card, $0) }, uniquingKeysWith: { _, last in last })
        var byCard: [String: [Payment]] = [:]
        for p in payments { if let card = p.card { byCard[card, default: []].append(p) } }
        let customers = byCard.keys.sorted().map { card in
            let touched = byCard[card] ?? []
            return Customer(
                card: card, payments: touched.count,
                approvedMinor: totals(touched.filter { $0.result == "approved" && $0.kind != "void" }),
                email: contactByCard[card]?.email, name: contactByCard[card]?.name)
        }

        var loss = totals(payments.filter { $0.result == "approved" && $0.kind != "void" })
        if incident.terminalValueMinor > 0 {
            let currency = incident.terminalValueCurrency
            if let i = loss.firstIndex(where: { $0.currency == currency }) {
                loss[i].amountMinor += incident.terminalValueMinor
            } else {
                loss.append(Amount(currency: currency, amountMinor: incident.terminalValueMinor))
                loss.sort { $0.currency < $1.currency }
            }
        }
        let (downtime, downSince) = Self.downtime(
            of: Set(incident.terminalIDs), since: since, history: history, until: until)
        return IncidentImpact(
            since: since, until: until, payments: payments, customers: customers, estimatedLoss: loss,
            downtimeSeconds: downtime, downtimeSince: downSince)
    }

    /// The impact without the customers' contact details, for readers outside the merchant (police liaison):
    /// they see the masked cards and the payments, not who the merchant writes to.
    public var withoutContacts: IncidentImpact {
        var impact = self
        for i in impact.customers.indices {
            impact.customers[i].email = nil
            impact.customers[i].name = nil
        }
        return impact
    }

    static func totals(_ payments: [Payment]) -> [Amount] {
        var sums: [String: Int64] = [:]
        for p in payments { sums[p.currency, default: 0] += p.amountMinor }
        return sums.keys.sorted().map { Amount(currency: $0, amountMinor: sums[$0]!) }
    }

    /// How long the store had no active terminal, counted from the first time one of `terminals` left `active`
    /// at or after `since`, up to `until`; zero, and no start, when none of them has left `active` since.
    public static func downtime(
        of terminals: Set<UUID>, since: Date, history: [TerminalTransition], until: Date
    ) -> (seconds: Double, since: Date?) {
        let moves = history.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
            .map(\.element)
        guard
            let start = moves.first(where: {
                terminals.contains($0.terminalID) && $0.from == .active && $0.to != .active && $0.at >= since
            })?.at, start < until
        else { return (0, nil) }
        var state: [UUID: TerminalState] = [:]
        for move in moves where move.at <= start { state[move.terminalID] = move.to }
        func storeIsDown() -> Bool { !state.values.contains(.active) }
        var seconds = 0.0
        var from = start
        for move in moves where move.at > start && move.at <= until {
            if storeIsDown() { seconds += move.at.timeIntervalSince(from) }
            from = move.at
            state[move.terminalID] = move.to
        }
        if storeIsDown() { seconds += until.timeIntervalSince(from) }
        return (seconds, start)
    }
}

extension Incident {
    /// When the theft may have happened: discovery minus the incident's look-back.
    public var theftAt: Date { discoveredAt.addingTimeInterval(-Double(lookBackHours) * 3600) }
}

/// A masked card as PosGuard keeps and shows it: at most the first six and the last four digits, the rest
/// starred (`411111******1111`), or only the last four (`****1111`). Never a full card number.
public enum MaskedCard {
    public static func isValid(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 8, scalars.count <= 19 else { return false }
        let digit: (Unicode.Scalar) -> Bool = { (48...57).contains($0.value) }
        let leading = scalars.prefix(while: digit).count
        let stars = scalars.dropFirst(leading).prefix(while: { $0 == "*" }).count
        let trailing = scalars.dropFirst(leading + stars)
        return leading <= 6 && stars >= 4 && trailing.count == 4 && trailing.allSatisfy(digit)
    }
}
