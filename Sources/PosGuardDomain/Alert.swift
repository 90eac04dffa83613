import Foundation

/// What detection can find about a terminal.
public enum RuleID: String, Sendable, Codable, CaseIterable {
    case geofenceBreach = "geofence_breach"
    case impossibleTravel = "impossible_travel"
    case offline
    case missing
    case tamper
    case simSwap = "sim_swap"
    case powerOffAfterHours = "power_off_after_hours"
    case afterHoursUse = "after_hours_use"
    case failedLoginBurst = "failed_login_burst"
    case unknownOperator = "unknown_operator"
    case refundBurst = "refund_burst"
    case refundLimit = "refund_limit"
    case eventGap = "event_gap"
    case clockSkew = "clock_skew"
    case locationSpoofing = "location_spoofing"
    case vagueLocation = "vague_location"
    case simRemoved = "sim_removed"
    case networkBlackout = "network_blackout"
    case silentOffPremises = "silent_off_premises"
    /// A payment was attempted from a stolen or suspected-stolen terminal (raised by the screening gateway).
    case stolenTerminalUsed = "stolen_terminal_used"
}

public enum AlertSeverity: String, Sendable, Codable, CaseIterable, Comparable {
    case warning
    case critical

    public static func < (a: Self, b: Self) -> Bool { a == .warning && b == .critical }
}

public enum AlertStatus: String, Sendable, Codable, CaseIterable {
    case open
    case acknowledged
    case resolved
}

/// A rule's verdict on one event (or on a terminal's silence): what it found and the events that show it.
public struct Finding: Sendable, Equatable {
    public var rule: RuleID
    public var severity: AlertSeverity
    public var message: String
    /// The `seq` numbers of the events that triggered it.
    public var evidence: [Int64]
    public var at: Date

    public init(rule: RuleID, severity: AlertSeverity, message: String, evidence: [Int64], at: Date) {
        self.rule = rule
        self.severity = severity
        self.message = message
        self.evidence = evidence
        self.at = at
    }
}

/// An alert as people work it: one open alert per terminal and rule, counting its occurrences.
public struct Alert: Sendable, Equatable, Codable {
    public var id: UUID
    public var providerID: UUID
    public var merchantID: UUID
    public var storeID: UUID
    public var terminalID: UUID
    public var rule: RuleID
    public var severity: AlertSeverity
    public var status: AlertStatus
    public var message: String
    public var occurrences: Int
    /// The events that triggered it, most recent occurrence last (at most 50 kept).
    public var evidence: [Int64]
    public var firstAt: Date
    public var lastAt: Date
    public var acknowledgedAt: Date?
    public var acknowledgedBy: String?
    public var resolvedAt: Date?
    public var resolvedBy: String?
    public var resolution: String?
    public var falsePositive: Bool

    public init(
        id: UUID, providerID: UUID, merchantID: UUID, storeID: UUID, terminalID: UUID, finding: Finding
    ) {
        self.id = id
        self.providerID = providerID
        self.merchantID = merchantID
        self.storeID = storeID
        self.terminalID = terminalID
        rule = finding.rule
        severity = finding.severity
        status = .open
        message = finding.message
        occurrences = 1
        evidence = finding.evidence
        firstAt = finding.at
        lastAt = finding.at
        falsePositive = false
    }

    public static let evidenceLimit = 50

    /// The same rule fired again while this alert is still open: count it and keep the new evidence.
    public mutating func recur(_ finding: Finding) {
        occurrences += 1
        message = finding.message
        severity = max(severity, finding.severity)
        evidence = Array((evidence + finding.evidence.filter { !evidence.contains($0) }).suffix(Self.evidenceLimit))
        lastAt = max(lastAt, finding.at)
    }
}
