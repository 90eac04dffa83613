import Foundation

/// What kind of incident a store reports: the kind decides what happens to its terminals on opening and
/// which response plan it gets.
public enum IncidentType: String, Sendable, Codable, CaseIterable {
    case theft
    case suspectedTheft = "suspected_theft"
    case tampering
    case insiderMisuse = "insider_misuse"
    case loss

    /// The state the incident's terminals are moved to the moment it opens (a containment: it never waits
    /// for a second factor). A terminal whose lifecycle does not allow the move keeps its state.
    public var containment: TerminalState {
        switch self {
        case .theft, .loss: .stolen
        case .suspectedTheft: .suspectedStolen
        case .tampering, .insiderMisuse: .locked
        }
    }
}

public enum IncidentStatus: String, Sendable, Codable, CaseIterable {
    case open
    case closed
}

/// A theft (or suspected theft, tampering, insider misuse, loss) of one store's terminals, from the report to
/// the closing report.
public struct Incident: Sendable, Equatable, Codable {
    public var id: UUID
    public var providerID: UUID
    public var merchantID: UUID
    public var storeID: UUID
    public var type: IncidentType
    public var status: IncidentStatus
    public var terminalIDs: [UUID]
    /// The alert it was opened from, if any.
    public var alertID: UUID?
    /// When the loss was noticed (the theft itself may be earlier).
    public var discoveredAt: Date
    public var place: String?
    public var reporter: String
    public var description: String
    public var policeReportNumber: String?
    public var policeStation: String?
    public var lessonsLearned: String?
    public var openedAt: Date
    public var openedBy: String
    public var closedAt: Date?
    public var closedBy: String?
    /// Hours before discovery the theft may have happened: the impact counts payments from then (default 24).
    public var lookBackHours: Int = 24
    /// What the stolen terminals are worth, counted in the estimated loss (default 0).
    public var terminalValueMinor: Int64 = 0
    public var terminalValueCurrency: String = "EUR"

    public init(
        id: UUID, providerID: UUID, merchantID: UUID, storeID: UUID, type: IncidentType, terminalIDs: [UUID],
        alertID: UUID?, discoveredAt: Date, place: String?, reporter: String, description: String, openedAt: Date,
        openedBy: String
    ) {
        self.id = id
        self.providerID = providerID
        self.merchantID = merchantID
        self.storeID = storeID
        self.type = type
        status = .open
        self.terminalIDs = terminalIDs
        self.alertID = alertID
        self.discoveredAt = discoveredAt
        self.place = place
        self.reporter = reporter
        self.description = description
        self.openedAt = openedAt
        self.openedBy = openedBy
    }
}

extension Incident {
    /// Why an incident cannot close yet.
    public struct StillOpen: Error, Equatable, CustomStringConvertible {
        public var tasks: [String]
        public var description: String {
            "every task must be done or not applicable with a reason first: still open: "
                + tasks.joined(separator: ", ")
        }
    }

    /// The incident closed, if every task is done or not applicable; the lessons learned go into the report.
    public func closed(tasks: [IncidentTask], lessons: String, by actor: String, at now: Date) throws -> Incident {
        let open = tasks.filter { $0.state == .open }.map(\.key)
        guard open.isEmpty else { throw StillOpen(tasks: open) }
        var closed = self
        closed.status = .closed
        closed.lessonsLearned = lessons
        closed.closedAt = now
        closed.closedBy = actor
        return closed
    }
}
