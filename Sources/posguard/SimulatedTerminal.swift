import Foundation
import PosGuardDomain
import PosGuardServices

/// One simulated terminal: its identity, its store, and the events it would report at each moment —
/// ordinary shop life, or the scenario it has been given. It signs its batches as a real agent must:
/// P-256 ECDSA over `METHOD\nPATH\nTIMESTAMP\nBODY`, raw r‖s with a low s (`AgentSigner`).
struct SimulatedTerminal: Sendable {
    var id: UUID
    var tid: String
    var serial: String
    var signer: AgentSigner
    var store: Store
    var roster: [String]
    var scenario: Scenario?
    var scenarioStart: Date?
    /// Plays the second terminal of its scenario (the insider's other till), not the one reported.
    var accomplice = false
    var seq: Int64 = 0
    var random: SplitMix64
    var iccid: String
    var pending: [JSONValue] = []

    init(id: UUID, tid: String, serial: String, store: Store, roster: [String], scenario: Scenario?, seed: UInt64) {
        self.id = id
        self.tid = tid
        self.serial = serial
        self.store = store
        self.roster = roster
        self.scenario = scenario
        signer = AgentSigner()
        random = SplitMix64(seed: seed)
        iccid = "894900" + String(10_000_000_000_000 + seed % 10_000_000_000_000).dropFirst()
    }

    var timeZone: TimeZone { TimeZone(identifier: store.timeZone) ?? TimeZone(identifier: "UTC")! }

    mutating func next() -> UInt64 { random.next() }

    func isOpen(_ t: Date) -> Bool { store.businessHours.isOpen(at: t, in: timeZone) }

    mutating func emit(_ type: String, at t: Date, _ fields: [String: JSONValue] = [:]) {
        seq += 1
        var event: [String: JSONValue] = [
            "seq": .number(Double(seq)), "type": .string(type), "at": .string(RFC3339.format(t)),
        ]
        event.merge(fields) { $1 }
        pending.append(.object(event))
    }

    /// Whether the terminal has been carried off by its scenario, so it no longer reports from the shop.
    func isTaken(at t: Date) -> Bool {
        guard let start = scenarioStart, t >= start else { return false }
        return scenario?.carriesOff == true
    }

    /// Whether its scenario has cut it off the network for half an hour.
    func isBlackedOut(at t: Date) -> Bool {
        guard scenario == .networkBlackout, let start = scenarioStart else { return false }
        return t >= start && t <= start.addingTimeInterval(30 * 60)
    }

    /// Whether its scenario has begun and silenced it for good.
    func isSilenced(at t: Date) -> Bool {
        guard let start = scenarioStart, t > start.addingTimeInterval(60) else { return false }
        return scenario?.silences == true
    }

    /// A fix `metres` from the store's centre, in a random direction or along `bearing` (radians).
    mutating func fix(at t: Date, metres: Double, accuracy: Double, source: String = "gps", bearing: Double? = nil) {
        let bearing = bearing ?? random.unit() * 2 * .pi
        let g = store.geofence
        emit(
            "location", at: t,
            [
                "lat": .number(g.latitude + metres * cos(bearing) / 111_320),
                "lon": .number(g.longitude + metres * sin(bearing) / (111_320 * cos(g.latitude * .pi / 180))),
                "accuracy_m": .number(accuracy), "source": .string(source),
            ])
    }

    /// The ordinary events of minute `t`: heartbeats, noisy fixes inside the shop, and during opening
    /// hours sign-ins and sales.
    mutating func ordinaryMinute(_ t: Date, minute: Int) {
        guard !isSilenced(at: t) else { return }
        if minute == 0 { emit("sim", at: t, ["iccid": .string(iccid)]) }
        if minute % 5 == 0 {
            emit(
                "heartbeat", at: t,
                [
                    "battery": .number((40 + random.unit() * 60).rounded()), "charging": true,
                    "network": isBlackedOut(at: t) ? "none" : "lte",
                ])
        }
        if minute % 2 == 0, !isTaken(at: t) {
            if random.unit() < 0.03 {
                let accuracy = 800 + random.unit() * 2000
                fix(at: t, metres: random.unit() * accuracy * 0.9, accuracy: accuracy, source: "ip")
            } else {
                fix(at: t, metres: abs(random.normal()) * 20, accuracy: 8 + random.unit() * 25)
            }
        }
        guard isOpen(t), scenario != .gpsDrift else { return }
        if minute % 60 == 0, let op = roster.randomElement(using: &random) {
            if random.unit() < 0.2 {
                emit("login", at: t, ["operator_id": .string(op), "method": "pin", "success": false])
            }
            emit("login", at: t, ["operator_id": .string(op), "method": "pin", "success": true])
        }
        if random.unit() < 0.15 {
            let refund = random.unit() < 0.005
            let amount = (200 + random.unit() * 8000).rounded()
            let last4 = String(String(10_000 + next() % 10_000).dropFirst())
            let fields: [String: JSONValue] = [
                "kind": .string(refund ? "refund" : "sale"), "amount_minor": .number(amount), "currency": "EUR",
                "approved": true, "pan_last4": .string(last4),
            ]
            emit("transaction", at: t, fields)
        }
    }

    /// The scenario's own events at minute `t`, `elapsed` minutes after it began.
    mutating func scenarioMinute(_ t: Date, elapsed: Int) {
        switch scenario {
        case .grabAndRun:
            if elapsed < 6 { fix(at: t, metres: 400 + Double(elapsed) * 350, accuracy: 15, bearing: 1.0) }
        case .gangTheftAtNight:
            if elapsed == 0 { emit("power", at: t, ["state": "off"]) }
            if elapsed == 20 { emit("power", at: t, ["state": "on"]) }
            if (20..<26).contains(elapsed) {
                fix(at: t, metres: 2_000 + Double(elapsed) * 500, accuracy: 30, bearing: 2.5)
            }
        case .simSwap:
            if elapsed == 0 {
                let other = "8949001" + String(1_000_000_000_000 + next() % 1_000_000_000_000).dropFirst()
                emit("sim", at: t, ["iccid": .string(other)])
            }
        case .tamper:
            if elapsed == 0 { emit("tamper", at: t, ["sensor": "case_open"]) }
        case .insiderAfterHoursRefunds:
            if elapsed == 0, let op = roster.first {
                emit("login", at: t, ["operator_id": .string(op), "method": "pin", "success": true])
            }
            if (1...3).contains(elapsed) {
                emit(
                    "transaction", at: t,
                    [
                        "kind": "refund", "amount_minor": 4_900, "currency": "EUR", "approved": true,
                        "pan_last4": "0420",
                    ])
            }
        case .vagueAccuracyEscape:
            if elapsed < 4 { fix(at: t, metres: 3_000 + Double(elapsed) * 100, accuracy: 5_000, bearing: 0.5) }
        case .backdatedAfterHoursSale:
            if elapsed == 1 { emit("transaction", at: t.addingTimeInterval(-9 * 3600), sale(12_900)) }
        case .futureStampedEvents:
            if elapsed == 0 { emit("transaction", at: t.addingTimeInterval(3 * 86_400), sale(4_500)) }
        case .gpsOffVagueNetwork:
            if elapsed <= 40, elapsed % 2 == 0 {
                fix(at: t, metres: 8_000, accuracy: 20_000, source: "ip", bearing: 1.5)
            }
        case .gpsPinnedCellAway:
            if elapsed < 3 {
                fix(at: t, metres: 5, accuracy: 6)
                fix(at: t.addingTimeInterval(10), metres: 50_000, accuracy: 2_000, source: "cell", bearing: 4.0)
            }
        case .simPulled:
            if elapsed == 0 { emit("sim", at: t) }
        case .networkBlackout:
            if elapsed <= 30 { emit("heartbeat", at: t, ["battery": 71, "charging": true, "network": "none"]) }
            if elapsed == 31 { emit("heartbeat", at: t, ["battery": 70, "charging": true, "network": "lte"]) }
        case .oneFarFixThenSilence:
            if elapsed == 0 { fix(at: t, metres: 5_000, accuracy: 12, bearing: 3.5) }
        case .slippedOutThenSilent:
            if elapsed == 0 { fix(at: t, metres: 600, accuracy: 12, bearing: 5.0) }
        case .insiderSplitRefunds:
            if elapsed == 0, let op = roster.first {
                emit("login", at: t, ["operator_id": .string(op), "method": "pin", "success": true])
            }
            if elapsed == (accomplice ? 2 : 1) || elapsed == (accomplice ? 4 : 3), let op = roster.first {
                emit(
                    "transaction", at: t,
                    [
                        "kind": "refund", "amount_minor": 3_900, "currency": "EUR", "approved": true,
                        "pan_last4": "0420", "operator_id": .string(op),
                    ])
            }
        case .swappedDevice, .gpsDrift, nil:
            break
        }
    }

    /// An approved sale's fields.
    func sale(_ amount: Int64) -> [String: JSONValue] {
        [
            "kind": "sale", "amount_minor": .number(Double(amount)), "currency": "EUR", "approved": true,
            "pan_last4": "1881",
        ]
    }

    /// The pending events as a batch body, and how many there are.
    mutating func takeBatch() -> (body: [UInt8], count: Int)? {
        guard !pending.isEmpty else { return nil }
        defer { pending = [] }
        return (Array((try? JSONEncoder().encode(["events": pending])) ?? Data()), pending.count)
    }
}

/// A small deterministic random source, so a run can be repeated with `--seed`.
struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// A standard normal sample (Box–Muller).
    mutating func normal() -> Double {
        sqrt(-2 * log(max(unit(), 1e-12))) * cos(2 * .pi * unit())
    }
}
