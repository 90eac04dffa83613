import Foundation

/// What detection remembers about one terminal between events: small enough that a hundred thousand fit
/// in a few tens of megabytes, and saved with each batch so a restart resumes where it left off.
public struct TerminalWatch: Sendable, Equatable, Codable {
    /// The highest event number processed.
    public var lastSeq: Int64 = 0
    /// When the server last heard from the terminal (server clock: a device's clock can lie).
    public var lastSeenAt: Date?
    public var lastFix: Fix?
    /// Fixes in a row clearly outside the geofence, with their event numbers.
    public var outsideStreak: [Int64] = []
    public var iccid: String?
    public var failedLogins: [Stamp] = []
    public var refunds: [Refund] = []
    /// The silence already alerted on, so a silent terminal raises each alert once.
    public var silence: Silence = .none

    public enum Silence: String, Sendable, Codable { case none, offline, missing }

    public struct Stamp: Sendable, Equatable, Codable {
        public var seq: Int64
        public var at: Date
    }

    public struct Refund: Sendable, Equatable, Codable {
        public var seq: Int64
        public var at: Date
        public var amountMinor: Int64
        public var approved: Bool
    }

    public init() {}

    /// Whether the last fix put the terminal clearly off its premises.
    public var isOffPremises: Bool { !outsideStreak.isEmpty }
}

/// What detection knows about a terminal's surroundings: its store's premises and hours, who may sign in,
/// its registered SIM and the thresholds in force.
public struct DetectionContext: Sendable, Equatable {
    public var geofence: Geofence
    public var hours: BusinessHours
    public var timeZone: TimeZone
    /// Operator ids on the store's roster; an empty roster checks nobody.
    public var roster: Set<String>
    public var registeredICCID: String?
    /// The thresholds for this terminal: the merchant's, the store's, then the terminal's own overrides.
    public var settings: DetectionSettings
    /// The refund limit of the whole store (merchant and store overrides only: a terminal's own override
    /// limits that terminal, never its neighbours).
    public var storeRefundLimitMinor: Int64

    public init(
        geofence: Geofence, hours: BusinessHours, timeZone: TimeZone, roster: Set<String>, registeredICCID: String?,
        settings: DetectionSettings, storeRefundLimitMinor: Int64? = nil
    ) {
        self.geofence = geofence
        self.hours = hours
        self.timeZone = timeZone
        self.roster = roster
        self.registeredICCID = registeredICCID
        self.settings = settings
        self.storeRefundLimitMinor = storeRefundLimitMinor ?? settings.refundLimitMinor
    }
}
