import Foundation

/// One thing a terminal reports about itself, as the agent protocol carries it.
public struct AgentEvent: Sendable, Equatable, Codable {
    /// Increases by one per event per terminal; resent events carry their original number.
    public var seq: Int64
    /// When it happened, by the terminal's clock.
    public var at: Date
    public var body: Body

    public init(seq: Int64, at: Date, body: Body) {
        self.seq = seq
        self.at = at
        self.body = body
    }

    public enum Body: Sendable, Equatable, Codable {
        case heartbeat(battery: Int?, charging: Bool?, network: String?, ip: String?)
        case location(Fix)
        /// The SIM card in the terminal, or none: `iccid` nil says the SIM was removed while powered.
        case sim(iccid: String?)
        case tamper(sensor: String)
        case power(PowerState)
        case login(operatorID: String, method: LoginMethod, success: Bool)
        /// `operatorID` names who made it, when the agent knows; otherwise the operator signed in last.
        case transaction(
            TransactionKind, amountMinor: Int64, currency: String, approved: Bool, panLast4: String?,
            operatorID: String? = nil)
        case app(package: String, version: String, action: String)
        /// The agent declares events `from`…`to` lost (its store overflowed or was wiped): it cannot resend
        /// them, so the server stops waiting for them.
        case gap(from: Int64, to: Int64)
    }

    public var type: String {
        switch body {
        case .heartbeat: "heartbeat"
        case .location: "location"
        case .sim: "sim"
        case .tamper: "tamper"
        case .power: "power"
        case .login: "login"
        case .transaction: "transaction"
        case .app: "app"
        case .gap: "gap"
        }
    }

    public static let types = [
        "heartbeat", "location", "sim", "tamper", "power", "login", "transaction", "app", "gap",
    ]

    /// The event numbers this event declares lost, if it is a `gap`.
    public var declaresLost: ClosedRange<Int64>? {
        guard case .gap(let from, let to) = body else { return nil }
        return from...to
    }

    public enum PowerState: String, Sendable, Codable, CaseIterable { case on, off, reboot }
    public enum LoginMethod: String, Sendable, Codable, CaseIterable { case pin, password, fingerprint, face }
    public enum TransactionKind: String, Sendable, Codable, CaseIterable { case sale, refund, void }
    public enum FixSource: String, Sendable, Codable, CaseIterable { case gps, wifi, cell, ip }
}

/// A position fix: where the terminal believes it is, and how sure it is.
public struct Fix: Sendable, Equatable, Codable {
    public var latitude: Double
    public var longitude: Double
    /// Radius of the 68 % confidence circle, in metres.
    public var accuracyM: Double
    public var source: AgentEvent.FixSource
    public var at: Date

    public init(latitude: Double, longitude: Double, accuracyM: Double, source: AgentEvent.FixSource, at: Date) {
        self.latitude = latitude
        self.longitude = longitude
        self.accuracyM = accuracyM
        self.source = source
        self.at = at
    }

    /// Great-circle distance to another fix, in metres.
    public func distance(to other: Fix) -> Double {
        Geofence(latitude: latitude, longitude: longitude, radiusM: 0).distance(
            toLatitude: other.latitude, longitude: other.longitude)
    }
}
