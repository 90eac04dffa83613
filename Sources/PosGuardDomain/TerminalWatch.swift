import Foundation

/// What detection remembers about one terminal between events: small enough that a hundred thousand fit
/// in a few tens of megabytes, and saved with each batch so a restart resumes where it left off.
public struct TerminalWatch: Sendable, Equatable, Codable {
    /// The highest event number settled (stored, refused for good, or given up as lost).
    public var lastSeq: Int64 = 0
    /// Event numbers below `lastSeq` still awaited (see `EventLedger`).
    public var missing: [MissingEvents] = []
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

    /// The accounting of the terminal's event numbers, kept in the watch so it is saved with every batch.
    public var ledger: EventLedger {
        get { EventLedger(highest: lastSeq, missing: missing) }
        set {
            lastSeq = newValue.highest
            missing = newValue.missing
        }
    }
}

extension TerminalWatch {
    /// Reads a saved watch; one saved before missing numbers were kept has none outstanding.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lastSeq = try c.decode(Int64.self, forKey: .lastSeq)
        missing = try c.decodeIfPresent([MissingEvents].self, forKey: .missing) ?? []
        lastSeenAt = try c.decodeIfPresent(Date.self, forKey: .lastSeenAt)
        lastFix = try c.decodeIfPresent(Fix.self, forKey: .lastFix)
        outsideStreak = try c.decode([Int64].self, forKey: .outsideStreak)
        iccid = try c.decodeIfPresent(String.self, forKey: .iccid)
        failedLogins = try c.decode([Stamp].self, forKey: .failedLogins)
        refunds = try c.decode([Refund].self, forKey: .refunds)
        silence = try c.decode(Silence.self, forKey: .silence)
    }
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

    /// A terminal's context in its store, with the detection overrides of its merchant, its store and its
    /// own: the store's refund limit is taken before the terminal's override, which limits that terminal only.
    public init(
        terminal: Terminal, store: Store, roster: Set<String>, merchantOverrides: DetectionOverrides?,
        storeOverrides: DetectionOverrides?, terminalOverrides: DetectionOverrides?
    ) {
        self.init(
            geofence: store.geofence, hours: store.businessHours, timeZone: store.zone, roster: roster,
            registeredICCID: terminal.iccid,
            settings: .effective(merchant: merchantOverrides, store: storeOverrides, terminal: terminalOverrides),
            storeRefundLimitMinor: DetectionSettings.effective(merchant: merchantOverrides, store: storeOverrides)
                .refundLimitMinor)
    }
}
