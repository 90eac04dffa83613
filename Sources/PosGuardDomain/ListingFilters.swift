import Foundation

/// Which terminals a listing shows (within the caller's scope).
public struct TerminalFilter: Sendable, Equatable {
    public var state: TerminalState?
    public var storeID: UUID?
    public var merchantID: UUID?
    /// The start of a TID, serial number or MID, in any case.
    public var search: String?

    public init(state: TerminalState? = nil, storeID: UUID? = nil, merchantID: UUID? = nil, search: String? = nil) {
        self.state = state
        self.storeID = storeID
        self.merchantID = merchantID
        self.search = search
    }
}

/// Which alerts a listing shows (within the caller's scope).
public struct AlertFilter: Sendable, Equatable {
    public var terminalID: UUID?
    public var status: AlertStatus?
    public var severity: AlertSeverity?
    public var rule: RuleID?

    public init(
        terminalID: UUID? = nil, status: AlertStatus? = nil, severity: AlertSeverity? = nil, rule: RuleID? = nil
    ) {
        self.terminalID = terminalID
        self.status = status
        self.severity = severity
        self.rule = rule
    }
}
