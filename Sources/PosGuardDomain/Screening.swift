import Foundation

/// What the screening gateway knows about one terminal: enough to judge a payment from it without a
/// database round-trip.
public struct ScreeningProfile: Sendable, Equatable {
    public var terminalID: UUID
    public var providerID: UUID
    public var merchantID: UUID
    public var storeID: UUID
    public var tid: String
    public var mid: String
    public var state: TerminalState
    public var geofence: Geofence
    public var hours: BusinessHours
    public var timeZone: TimeZone
    /// Whether the store declines payments outside its business hours.
    public var declineOutsideHours: Bool

    public init(
        terminalID: UUID, providerID: UUID, merchantID: UUID, storeID: UUID, tid: String, mid: String,
        state: TerminalState,
        geofence: Geofence, hours: BusinessHours, timeZone: TimeZone, declineOutsideHours: Bool
    ) {
        self.terminalID = terminalID
        self.providerID = providerID
        self.merchantID = merchantID
        self.storeID = storeID
        self.tid = tid
        self.mid = mid
        self.state = state
        self.geofence = geofence
        self.hours = hours
        self.timeZone = timeZone
        self.declineOutsideHours = declineOutsideHours
    }
}

/// A payment to screen: which terminal and merchant it claims to come from, and when.
public struct ScreeningRequest: Sendable, Equatable {
    public var tid: String
    public var mid: String
    public var amountMinor: Int64
    public var currency: String
    public var at: Date

    public init(tid: String, mid: String, amountMinor: Int64, currency: String, at: Date) {
        self.tid = tid
        self.mid = mid
        self.amountMinor = amountMinor
        self.currency = currency
        self.at = at
    }
}

/// Why a payment was declined.
public enum DeclineReason: String, Sendable, Codable, CaseIterable {
    case stolen
    case suspectedStolen = "suspected_stolen"
    case locked
    case retired
    /// In stock, in maintenance, or recovered and not yet inspected.
    case notInService = "not_in_service"
    case outsideGeofence = "outside_geofence"
    case outsideHours = "outside_hours"
    case unknownTerminal = "unknown_terminal"
    case merchantMismatch = "merchant_mismatch"
    /// More than one provider registered this TID and MID: the request is judged by neither.
    case ambiguousTerminal = "ambiguous_terminal"
}

public struct ScreeningDecision: Sendable, Equatable {
    public var approve: Bool
    /// ISO 8583 field 39: `00` approve, `58` not permitted to terminal, `03` invalid merchant.
    public var responseCode: String
    public var reasons: [DeclineReason]
    /// The terminal the payment came from, when it is known.
    public var terminalID: UUID?

    public static func approve(_ terminal: UUID) -> Self {
        .init(approve: true, responseCode: "00", reasons: [], terminalID: terminal)
    }
}

/// The screening rules: a payment is approved only from a known, active terminal of the merchant it names,
/// last seen on its premises, within business hours where the store asks for that.
public enum Screening {
    /// `candidates` are the profiles with the request's TID (one per provider using it); `offPremises` says
    /// whether detection last placed a terminal outside its store (`TerminalWatch.isOffPremises`: a fix
    /// whose believed circle lies beyond the geofence, not since ended by a fix precise enough to place it
    /// inside).
    public static func decide(
        _ request: ScreeningRequest, candidates: [ScreeningProfile], offPremises: (UUID) -> Bool
    )
        -> ScreeningDecision
    {
        guard !candidates.isEmpty else {
            return ScreeningDecision(approve: false, responseCode: "03", reasons: [.unknownTerminal], terminalID: nil)
        }
        let matching = candidates.filter { $0.mid == request.mid }
        guard let p = matching.first else {
            return ScreeningDecision(approve: false, responseCode: "03", reasons: [.merchantMismatch], terminalID: nil)
        }
        // TIDs are unique inside one provider only. Where two providers registered the same TID and MID, a request
        // that does not say whose it is (the ISO 8583 port) belongs to neither: judging it by either one would let
        // a tenant approve, decline or read another tenant's payments.
        guard matching.count == 1 else {
            return ScreeningDecision(
                approve: false, responseCode: "58", reasons: [.ambiguousTerminal], terminalID: nil)
        }
        var reasons: [DeclineReason] = []
        switch p.state {
        case .active: break
        case .stolen: reasons.append(.stolen)
        case .suspectedStolen: reasons.append(.suspectedStolen)
        case .locked: reasons.append(.locked)
        case .retired: reasons.append(.retired)
        case .inventory, .maintenance, .recovered: reasons.append(.notInService)
        }
        if offPremises(p.terminalID) { reasons.append(.outsideGeofence) }
        if p.declineOutsideHours && !p.hours.isOpen(at: request.at, in: p.timeZone) { reasons.append(.outsideHours) }
        return reasons.isEmpty
            ? .approve(p.terminalID)
            : ScreeningDecision(approve: false, responseCode: "58", reasons: reasons, terminalID: p.terminalID)
    }
}

/// Card numbers as PosGuard keeps them: at most the first six and last four digits, never the whole number,
/// and never a hash of it beside them.
public enum MaskedPAN {
    /// Digits always hidden. First six and last four of a 12-digit number would leave two hidden digits, which
    /// the Luhn check narrows to about ten guesses; short numbers show fewer leading digits instead.
    public static let hiddenDigits = 6

    public static func mask(_ pan: String) -> String? {
        let digits = pan.filter(\.isASCIIDigit)
        guard digits.count == pan.count, (12...19).contains(digits.count) else { return nil }
        let leading = min(6, digits.count - 4 - hiddenDigits)
        return String(digits.prefix(leading)) + String(repeating: "*", count: digits.count - 4 - leading)
            + String(digits.suffix(4))
    }
}
