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
    /// How often the terminal usually reports, in seconds (a moving average of the time between its batches,
    /// each at most the offline threshold): silence is judged against it.
    public var reportingInterval: Double?
    public var iccid: String?
    public var failedLogins: [Stamp] = []
    public var refunds: [Refund] = []
    /// The silence already alerted on, so a silent terminal raises each alert once.
    public var silence: Silence = .none
    /// The newest event time believed, by the terminal's clock (see `EventClock`).
    public var newestEventAt: Date?
    /// Whether the terminal is sending a backlog buffered while out of touch.
    public var catchingUp = false
    /// Whether the terminal's clock is known to be off (`clock_skew` raised), until it agrees again.
    public var clockSkewed = false
    /// The accuracies the terminal's believable fixes claimed lately, by source (see `FixTrust`).
    public var accuracies: [String: [Double]] = [:]
    /// The last satellite fix and the last network (Wi-Fi, cell, IP) fix, as believed.
    public var lastSatelliteFix: Fix?
    public var lastNetworkFix: Fix?
    /// The last placing fixes (see `Geofence.places`), in order, each outside the geofence or not: a breach
    /// is a majority of them outside, so fixes forged to the shop between real ones do not hide it.
    public var placings: [Placing] = []
    /// Whether the excursion was already reported, so it raises one breach until the terminal is back.
    public var excursionReported = false
    /// When the server last received a fix (server clock), and whether the terminal's keeping quiet about
    /// its position since a fix outside was reported.
    public var lastFixSeenAt: Date?
    public var fixSilenceReported = false
    /// Fixes in a row too vague to place the terminal, centred outside (see `vague_location`).
    public var vagueStreak: [Stamp] = []
    /// Whether a fix precise enough to place the terminal was ever seen.
    public var placedBefore = false
    /// Since when heartbeats have reported no network, and whether that blackout was reported.
    public var blackoutSince: Date?
    public var blackoutReported = false
    /// The operator who signed in last, to whom transactions without an `operator_id` are attributed.
    public var signedIn: String?

    public enum Silence: String, Sendable, Codable { case none, offline, missing }

    public struct Stamp: Sendable, Equatable, Codable {
        public var seq: Int64
        public var at: Date
    }

    public struct Placing: Sendable, Equatable, Codable {
        public var seq: Int64
        public var outside: Bool
    }

    public struct Refund: Sendable, Equatable, Codable {
        public var seq: Int64
        public var at: Date
        public var amountMinor: Int64
        public var approved: Bool
    }

    public init() {}

    /// The event numbers of the last placing fixes in a row that were outside the geofence, oldest first.
    public var outsideStreak: [Int64] {
        Array(placings.reversed().prefix(while: \.outside).map(\.seq).reversed())
    }

    /// Whether the last placing fix put the terminal clearly off its premises.
    public var isOffPremises: Bool { placings.last?.outside == true }

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
    private enum Legacy: String, CodingKey { case outsideStreak }

    /// Reads a saved watch; what an older one did not keep starts empty.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lastSeq = try c.decode(Int64.self, forKey: .lastSeq)
        missing = try c.decodeIfPresent([MissingEvents].self, forKey: .missing) ?? []
        lastSeenAt = try c.decodeIfPresent(Date.self, forKey: .lastSeenAt)
        reportingInterval = try c.decodeIfPresent(Double.self, forKey: .reportingInterval)
        iccid = try c.decodeIfPresent(String.self, forKey: .iccid)
        failedLogins = try c.decode([Stamp].self, forKey: .failedLogins)
        refunds = try c.decode([Refund].self, forKey: .refunds)
        silence = try c.decode(Silence.self, forKey: .silence)
        newestEventAt = try c.decodeIfPresent(Date.self, forKey: .newestEventAt)
        catchingUp = try c.decodeIfPresent(Bool.self, forKey: .catchingUp) ?? false
        clockSkewed = try c.decodeIfPresent(Bool.self, forKey: .clockSkewed) ?? false
        accuracies = try c.decodeIfPresent([String: [Double]].self, forKey: .accuracies) ?? [:]
        lastSatelliteFix = try c.decodeIfPresent(Fix.self, forKey: .lastSatelliteFix)
        lastNetworkFix = try c.decodeIfPresent(Fix.self, forKey: .lastNetworkFix)
        // A watch saved before placings were kept had only its streak of fixes outside.
        let streak = try decoder.container(keyedBy: Legacy.self).decodeIfPresent([Int64].self, forKey: .outsideStreak)
        placings =
            try c.decodeIfPresent([Placing].self, forKey: .placings)
            ?? (streak ?? []).map { Placing(seq: $0, outside: true) }
        excursionReported = try c.decodeIfPresent(Bool.self, forKey: .excursionReported) ?? false
        lastFixSeenAt = try c.decodeIfPresent(Date.self, forKey: .lastFixSeenAt)
        fixSilenceReported = try c.decodeIfPresent(Bool.self, forKey: .fixSilenceReported) ?? false
        vagueStreak = try c.decodeIfPresent([Stamp].self, forKey: .vagueStreak) ?? []
        placedBefore = try c.decodeIfPresent(Bool.self, forKey: .placedBefore) ?? false
        blackoutSince = try c.decodeIfPresent(Date.self, forKey: .blackoutSince)
        blackoutReported = try c.decodeIfPresent(Bool.self, forKey: .blackoutReported) ?? false
        signedIn = try c.decodeIfPresent(String.self, forKey: .signedIn)
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
    /// The settings of the whole store (merchant and store overrides only: a terminal's own override limits
    /// that terminal, never its neighbours): the store's and its operators' refund limits and bursts.
    public var storeSettings: DetectionSettings
    public var storeRefundLimitMinor: Int64 { storeSettings.refundLimitMinor }

    public init(
        geofence: Geofence, hours: BusinessHours, timeZone: TimeZone, roster: Set<String>, registeredICCID: String?,
        settings: DetectionSettings, storeSettings: DetectionSettings? = nil
    ) {
        self.geofence = geofence
        self.hours = hours
        self.timeZone = timeZone
        self.roster = roster
        self.registeredICCID = registeredICCID
        self.settings = settings
        self.storeSettings = storeSettings ?? settings
    }

    /// A terminal's context in its store, with the detection overrides of its merchant, its store and its
    /// own: the store's settings are taken before the terminal's override, which limits that terminal only.
    public init(
        terminal: Terminal, store: Store, roster: Set<String>, merchantOverrides: DetectionOverrides?,
        storeOverrides: DetectionOverrides?, terminalOverrides: DetectionOverrides?
    ) {
        self.init(
            geofence: store.geofence, hours: store.businessHours, timeZone: store.zone, roster: roster,
            registeredICCID: terminal.iccid,
            settings: .effective(merchant: merchantOverrides, store: storeOverrides, terminal: terminalOverrides),
            storeSettings: .effective(merchant: merchantOverrides, store: storeOverrides))
    }
}
