import Foundation

/// Reads one event of an agent's batch from its JSON object, refusing it with a reason a terminal's
/// developer can act on. A bad event never spoils the good ones beside it.
public enum AgentEventParsing {
    public struct Refusal: Error, Equatable, Sendable {
        public var seq: Int64?
        public var reason: String
    }

    /// Reads one event. Its time is read as sent: how far it is believed is detection's judgement
    /// (`EventClock`), and an event from the future is refused there, by the terminal's settings.
    /// `strict` refuses fields an event's type does not have, as an agent's batch must; events already stored
    /// are read with `strict` off, so an event accepted under an older contract still counts.
    public static func parse(_ object: [String: JSONValue], strict: Bool = true) -> Result<AgentEvent, Refusal> {
        // The whole event is stored as sent, so card data under any key, known or not, refuses it; the reason
        // names the field but never repeats the digits (not even a `seq` that looks like a card number).
        // A SIM event's ICCID is read as one (SIM numbers pass the Luhn check); every other field as any text.
        var scanned = object
        let iccid = object["type"]?.string == "sim" ? scanned.removeValue(forKey: "iccid")?.string : nil
        let iccidHoldsCard = iccid.map { CardDataScan.containsCardData($0, iccidField: true) } ?? false
        if let field = iccidHoldsCard ? "iccid" : CardDataScan.location(in: .object(scanned)) {
            return .failure(
                Refusal(
                    seq: field == "seq" ? nil : object["seq"]?.integer,
                    reason: "\(field) holds card data (a full card number or track data), which is never accepted: "
                        + "send pan_last4 only"))
        }
        let seq = object["seq"]?.integer
        func refuse(_ reason: String) -> Result<AgentEvent, Refusal> { .failure(Refusal(seq: seq, reason: reason)) }
        // Operator ids, sensor names and the like reach alerts, emails and lock screens: plain text only.
        if let field = JSONValue.object(object).firstFlagged(text: {
            PlainText.problem(in: $0, multiline: false) != nil
        }) {
            return refuse("\(field) must be plain text on one line, without control or invisible formatting characters")
        }
        guard let seq, seq >= 1 else { return refuse("seq must be a positive integer") }
        guard let type = object["type"]?.string else { return refuse("type is required") }
        guard AgentEvent.types.contains(type) else {
            return refuse("type \(type) is unknown: expected one of \(AgentEvent.types.joined(separator: ", "))")
        }
        guard let atText = object["at"]?.string, let at = RFC3339.parse(atText) else {
            return refuse("at must be an RFC 3339 time")
        }
        do {
            let event = AgentEvent(seq: seq, at: at, body: try body(type, object, seq: seq, at: at))
            let known = fields[type] ?? []
            func isUnknown(_ field: String) -> Bool {
                field != "seq" && field != "type" && field != "at" && !known.contains(field)
            }
            if strict, object.keys.contains(where: isUnknown), let field = object.keys.filter(isUnknown).min() {
                if CardDataScan.containsCardData(field) {
                    return refuse("a field name holds card data, which is never accepted")
                }
                return refuse(
                    "\(field) is not a field of a \(type) event (its fields: seq, type, at, "
                        + "\(known.sorted().joined(separator: ", ")))")
            }
            return .success(event)
        } catch {
            return refuse(error.reason)
        }
    }

    /// The fields of each event type besides `seq`, `type` and `at`; any other is refused by name.
    public static let fields: [String: Set<String>] = [
        "heartbeat": ["battery", "charging", "network", "ip"], "location": ["lat", "lon", "accuracy_m", "source"],
        "sim": ["iccid"], "tamper": ["sensor"], "power": ["state"], "login": ["operator_id", "method", "success"],
        "transaction": ["kind", "amount_minor", "currency", "approved", "pan_last4", "operator_id"],
        "app": ["package", "version", "action"], "gap": ["from", "to"],
    ]

    struct Bad: Error { var reason: String }

    static func body(_ type: String, _ o: [String: JSONValue], seq: Int64, at: Date) throws(Bad) -> AgentEvent.Body {
        switch type {
        case "heartbeat":
            let battery = try optionalInt(o, "battery")
            if let battery, !(0...100).contains(battery) { throw Bad(reason: "battery must be 0 to 100") }
            return .heartbeat(
                battery: battery.map(Int.init), charging: try optionalBool(o, "charging"),
                network: try optionalText(o, "network", max: 32), ip: try optionalText(o, "ip", max: 45))
        case "location":
            let lat = try number(o, "lat")
            let lon = try number(o, "lon")
            let accuracy = try number(o, "accuracy_m")
            guard (-90...90).contains(lat) else { throw Bad(reason: "lat must be between -90 and 90") }
            guard (-180...180).contains(lon) else { throw Bad(reason: "lon must be between -180 and 180") }
            guard accuracy >= 0, accuracy <= 100_000 else { throw Bad(reason: "accuracy_m must be 0 to 100000") }
            return .location(
                Fix(latitude: lat, longitude: lon, accuracyM: accuracy, source: try choice(o, "source"), at: at))
        case "sim":
            // No ICCID (absent or null) reports the SIM removed.
            let iccid = try optionalText(o, "iccid", max: 22)
            if let iccid, !(18...22).contains(iccid.count) || !iccid.allSatisfy(\.isASCIIDigit) {
                throw Bad(reason: "iccid must be 18 to 22 digits, or left out when the SIM was removed")
            }
            return .sim(iccid: iccid)
        case "tamper":
            return .tamper(sensor: try text(o, "sensor", max: 64))
        case "power":
            return .power(try choice(o, "state"))
        case "login":
            guard let success = o["success"]?.bool else { throw Bad(reason: "success must be true or false") }
            return .login(
                operatorID: try text(o, "operator_id", max: 64), method: try choice(o, "method"), success: success)
        case "transaction":
            let amount = try int(o, "amount_minor")
            guard amount >= 0 else { throw Bad(reason: "amount_minor must not be negative") }
            let currency = try text(o, "currency", max: 3)
            guard ISOCode.isCurrency(currency) else {
                throw Bad(reason: "currency must be an ISO 4217 code such as EUR")
            }
            guard let approved = o["approved"]?.bool else { throw Bad(reason: "approved must be true or false") }
            let last4 = try optionalText(o, "pan_last4", max: 4)
            if let last4, last4.count != 4 || !last4.allSatisfy(\.isASCIIDigit) {
                throw Bad(reason: "pan_last4 must be the last 4 digits of the card number, never more")
            }
            if o["pan"] != nil { throw Bad(reason: "pan must never be sent: send pan_last4 only") }
            let op = try optionalText(o, "operator_id", max: 64)
            if op?.isEmpty == true { throw Bad(reason: "operator_id must not be empty") }
            return .transaction(
                try choice(o, "kind"), amountMinor: amount,
                currency: currency, approved: approved, panLast4: last4, operatorID: op)
        case "gap":
            // Only numbers before the declaration itself can be declared lost: later ones are not yet sent.
            let from = try int(o, "from")
            let to = try int(o, "to")
            guard from >= 1, from <= to, to < seq else {
                throw Bad(reason: "from and to must name event numbers 1 ≤ from ≤ to < seq, the events declared lost")
            }
            return .gap(from: from, to: to)
        default:
            return .app(
                package: try text(o, "package", max: 200), version: try text(o, "version", max: 64),
                action: try text(o, "action", max: 32))
        }
    }

    static func text(_ o: [String: JSONValue], _ key: String, max: Int) throws(Bad) -> String {
        guard let raw = o[key], raw != .null else { throw Bad(reason: "\(key) is required") }
        guard let value = raw.string else { throw Bad(reason: "\(key) must be a string") }
        guard !value.isEmpty else { throw Bad(reason: "\(key) is required") }
        guard fits(value, max) else { throw Bad(reason: "\(key) must be at most \(max) characters") }
        return value
    }

    static func optionalText(_ o: [String: JSONValue], _ key: String, max: Int) throws(Bad) -> String? {
        guard let value = o[key], value != .null else { return nil }
        guard let text = value.string else { throw Bad(reason: "\(key) must be a string") }
        guard fits(text, max) else { throw Bad(reason: "\(key) must be at most \(max) characters") }
        return text
    }

    /// At most `max` characters; counting bytes first spares the grapheme walk for nearly every text.
    static func fits(_ text: String, _ max: Int) -> Bool { text.utf8.count <= max || text.count <= max }

    static func number(_ o: [String: JSONValue], _ key: String) throws(Bad) -> Double {
        guard let value = o[key]?.number else { throw Bad(reason: "\(key) must be a number") }
        return value
    }

    static func int(_ o: [String: JSONValue], _ key: String) throws(Bad) -> Int64 {
        guard let value = o[key]?.integer else { throw Bad(reason: "\(key) must be an integer") }
        return value
    }

    static func optionalInt(_ o: [String: JSONValue], _ key: String) throws(Bad) -> Int64? {
        guard let value = o[key], value != .null else { return nil }
        guard let int = value.integer else { throw Bad(reason: "\(key) must be an integer") }
        return int
    }

    static func optionalBool(_ o: [String: JSONValue], _ key: String) throws(Bad) -> Bool? {
        guard let value = o[key], value != .null else { return nil }
        guard let bool = value.bool else { throw Bad(reason: "\(key) must be true or false") }
        return bool
    }

    static func choice<E: RawRepresentable & CaseIterable>(_ o: [String: JSONValue], _ key: String) throws(Bad) -> E
    where E.RawValue == String {
        guard let text = o[key]?.string, let value = E(rawValue: text) else {
            throw Bad(reason: "\(key) must be one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}

extension Character {
    /// `0`…`9` and nothing else (no other scripts' digits).
    public var isASCIIDigit: Bool { isASCII && isNumber }
}
