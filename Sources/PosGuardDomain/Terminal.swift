import Foundation

/// A payment terminal in the registry, with the inventory fields PCI DSS v4.0.1 requirement 9.5.1.1 asks
/// for (make, model, serial number, location) and the identifiers the payment network knows it by.
public struct Terminal: Sendable, Equatable, Codable {
    public var id: UUID
    public var providerID: UUID
    public var merchantID: UUID
    public var storeID: UUID
    public var make: String
    public var model: String
    public var serial: String
    /// Terminal ID as in ISO 8583 field 41 (up to 8 characters), unique within the provider.
    public var tid: String
    /// Merchant ID as in ISO 8583 field 42 (up to 15 characters).
    public var mid: String
    public var firmwareVersion: String?
    public var appVersion: String?
    /// The SIM card the terminal is registered with; another one raises a SIM-swap alert.
    public var iccid: String?
    public var state: TerminalState
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, providerID: UUID, merchantID: UUID, storeID: UUID, make: String, model: String, serial: String,
        tid: String, mid: String, firmwareVersion: String?, appVersion: String?, iccid: String? = nil,
        state: TerminalState, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.providerID = providerID
        self.merchantID = merchantID
        self.storeID = storeID
        self.make = make
        self.model = model
        self.serial = serial
        self.tid = tid
        self.mid = mid
        self.firmwareVersion = firmwareVersion
        self.appVersion = appVersion
        self.iccid = iccid
        self.state = state
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// What a client supplies to register or edit a terminal, checked field by field.
public struct TerminalDetails: Sendable, Equatable, Codable {
    public var make: String
    public var model: String
    public var serial: String
    public var tid: String
    public var mid: String
    public var firmwareVersion: String?
    public var appVersion: String?
    public var iccid: String?

    public init(
        make: String, model: String, serial: String, tid: String, mid: String, firmwareVersion: String? = nil,
        appVersion: String? = nil, iccid: String? = nil
    ) {
        self.make = make
        self.model = model
        self.serial = serial
        self.tid = tid
        self.mid = mid
        self.firmwareVersion = firmwareVersion
        self.appVersion = appVersion
        self.iccid = iccid
    }

    /// Trims every field and checks it; returns the cleaned value or every problem found.
    public func validated() throws(ValidationFailure) -> TerminalDetails {
        var v = Validator()
        let make = v.text(make, "make", max: 64) ?? ""
        let model = v.text(model, "model", max: 64) ?? ""
        let serial = v.text(serial, "serial", max: 64) ?? ""
        let tid = v.text(tid, "tid", max: 8) ?? ""
        let mid = v.text(mid, "mid", max: 15) ?? ""
        v.check(tid.allSatisfy(Self.isPrintableASCII), "tid", "must be printable ASCII (ISO 8583 field 41)")
        v.check(mid.allSatisfy(Self.isPrintableASCII), "mid", "must be printable ASCII (ISO 8583 field 42)")
        let firmware = v.text(firmwareVersion, "firmware_version", max: 64, required: false)
        let app = v.text(appVersion, "app_version", max: 64, required: false)
        let sim = v.text(iccid, "iccid", max: 22, required: false)
        if let sim, !sim.isEmpty {
            v.check((18...22).contains(sim.count) && sim.allSatisfy(\.isASCIIDigit), "iccid", "must be 18 to 22 digits")
        }
        if !v.errors.isEmpty { throw ValidationFailure(v.errors) }
        return TerminalDetails(
            make: make, model: model, serial: serial, tid: tid, mid: mid,
            firmwareVersion: firmware?.isEmpty == true ? nil : firmware, appVersion: app?.isEmpty == true ? nil : app,
            iccid: sim?.isEmpty == true ? nil : sim)
    }

    static func isPrintableASCII(_ c: Character) -> Bool {
        guard let ascii = c.asciiValue else { return false }
        return ascii >= 0x20 && ascii < 0x7F
    }
}

/// One recorded move of a terminal's lifecycle: who, when and why.
public struct TerminalTransition: Sendable, Equatable, Codable {
    public var id: UUID
    public var terminalID: UUID
    public var from: TerminalState?
    public var to: TerminalState
    public var at: Date
    public var actorID: UUID?
    public var actor: String
    public var reason: String

    public init(
        id: UUID, terminalID: UUID, from: TerminalState?, to: TerminalState, at: Date, actorID: UUID?, actor: String,
        reason: String
    ) {
        self.id = id
        self.terminalID = terminalID
        self.from = from
        self.to = to
        self.at = at
        self.actorID = actorID
        self.actor = actor
        self.reason = reason
    }
}
