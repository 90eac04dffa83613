import Foundation
import PosGuardDomain
import Testing

@Suite("Agent events")
struct AgentEventTests {
    let now = Date(timeIntervalSince1970: 1_795_428_000)

    func parse(_ json: String) -> Result<AgentEvent, AgentEventParsing.Refusal> {
        let object = try! JSONDecoder().decode([String: JSONValue].self, from: Data(json.utf8))
        return AgentEventParsing.parse(object)
    }

    @Test func readsEveryEventType() throws {
        let at = #""at":"2026-11-23T10:00:00Z""#
        let cases: [(String, AgentEvent.Body)] = [
            (
                #"{"seq":1,"type":"heartbeat",\#(at),"battery":80,"charging":true,"network":"lte","ip":"10.1.2.3"}"#,
                .heartbeat(battery: 80, charging: true, network: "lte", ip: "10.1.2.3")
            ),
            (#"{"seq":2,"type":"sim",\#(at),"iccid":"8949000000000000001"}"#, .sim(iccid: "8949000000000000001")),
            (#"{"seq":3,"type":"tamper",\#(at),"sensor":"case_open"}"#, .tamper(sensor: "case_open")),
            (#"{"seq":4,"type":"power",\#(at),"state":"off"}"#, .power(.off)),
            (
                #"{"seq":5,"type":"login",\#(at),"operator_id":"op-7","method":"pin","success":false}"#,
                .login(operatorID: "op-7", method: .pin, success: false)
            ),
            (
                #"{"seq":6,"type":"transaction",\#(at),"kind":"refund","amount_minor":1250,"currency":"EUR","approved":true,"pan_last4":"4242"}"#,
                .transaction(.refund, amountMinor: 1250, currency: "EUR", approved: true, panLast4: "4242")
            ),
            (
                #"{"seq":7,"type":"app",\#(at),"package":"com.pay","version":"2.1","action":"install"}"#,
                .app(package: "com.pay", version: "2.1", action: "install")
            ),
            (#"{"seq":9,"type":"gap",\#(at),"from":3,"to":4}"#, .gap(from: 3, to: 4)),
        ]
        for (json, body) in cases { #expect(try parse(json).get().body == body, "\(json)") }
        let fix = try parse(
            #"{"seq":8,"type":"location",\#(at),"lat":52.5,"lon":13.4,"accuracy_m":12.5,"source":"gps"}"#
        ).get()
        #expect(fix.body == .location(Fix(latitude: 52.5, longitude: 13.4, accuracyM: 12.5, source: .gps, at: now)))
    }

    @Test func refusesBadEventsWithAReason() {
        let at = #""at":"2026-11-23T10:00:00Z""#
        let cases: [(String, String)] = [
            (#"{"seq":1,"type":"teleport",\#(at)}"#, "type teleport is unknown"),
            (#"{"seq":0,"type":"tamper",\#(at),"sensor":"x"}"#, "seq must be a positive integer"),
            (#"{"seq":1,"type":"tamper","at":"yesterday","sensor":"x"}"#, "at must be an RFC 3339 time"),
            (#"{"seq":1,"type":"sim",\#(at),"iccid":"12345"}"#, "iccid must be 18 to 22 digits, or left out"),
            (
                #"{"seq":1,"type":"login",\#(at),"operator_id":123,"method":"pin","success":true}"#,
                "operator_id must be a string"
            ),
            (
                #"{"seq":1,"type":"tamper",\#(at),"sensor":"x","note":"hi"}"#,
                "note is not a field of a tamper event (its fields: seq, type, at, sensor)"
            ),
            (
                #"{"seq":1,"type":"transaction",\#(at),"kind":"refund","amount_minor":5,"currency":"EUR","approved":true,"operator_id":""}"#,
                "operator_id must not be empty"
            ),
            (
                #"{"seq":1,"type":"transaction",\#(at),"kind":"sale","amount_minor":5,"currency":"eur","approved":true}"#,
                "currency must be an ISO 4217 code"
            ),
            (
                #"{"seq":1,"type":"location",\#(at),"lat":95,"lon":13,"accuracy_m":5,"source":"gps"}"#,
                "lat must be between"
            ),
            (
                #"{"seq":1,"type":"location",\#(at),"lat":52,"lon":13,"accuracy_m":5,"source":"magic"}"#,
                "source must be one of"
            ),
            (
                #"{"seq":1,"type":"transaction",\#(at),"kind":"sale","amount_minor":5,"currency":"EUR","approved":true,"pan":"4111111111111111"}"#,
                "pan holds card data"
            ),
            (
                #"{"seq":1,"type":"transaction",\#(at),"kind":"sale","amount_minor":5,"currency":"EUR","approved":true,"pan":"4242"}"#,
                "pan must never be sent"
            ),
            (
                #"{"seq":1,"type":"transaction",\#(at),"kind":"sale","amount_minor":5,"currency":"EUR","approved":true,"pan_last4":"411111"}"#,
                "pan_last4 must be at most 4 characters"
            ),
            (#"{"seq":1,"type":"sim",\#(at),"iccid":"abc"}"#, "iccid must be 18 to 22 digits"),
            (
                #"{"seq":1,"type":"login",\#(at),"operator_id":"ann\u202Eeve","method":"pin","success":true}"#,
                "operator_id must be plain text"
            ),
            (#"{"seq":1,"type":"tamper",\#(at),"sensor":"lid\u2066open"}"#, "sensor must be plain text"),
            (#"{"seq":1,"type":"tamper",\#(at),"sensor":"lid","note":"a\u0000b"}"#, "note must be plain text"),
            (#"{"seq":7,"type":"gap",\#(at),"from":3}"#, "to must be an integer"),
            (#"{"seq":7,"type":"gap",\#(at),"from":3,"to":7}"#, "from and to must name event numbers"),
            (#"{"seq":7,"type":"gap",\#(at),"from":5,"to":4}"#, "from and to must name event numbers"),
            (#"{"seq":7,"type":"gap",\#(at),"from":0,"to":4}"#, "from and to must name event numbers"),
        ]
        for (json, reason) in cases {
            guard case .failure(let refusal) = parse(json) else {
                Issue.record("accepted \(json)")
                continue
            }
            #expect(refusal.reason.hasPrefix(reason), "\(refusal.reason)")
        }
    }

    @Test func refusesCardDataUnderAnyKeyWithoutRepeatingIt() {
        let at = #""at":"2026-11-23T10:00:00Z""#
        let sale = #""type":"transaction",\#(at),"kind":"sale","amount_minor":5,"currency":"EUR","approved":true"#
        let cases: [(String, String)] = [
            (#"{"seq":1,\#(sale),"card_number":"4111111111111111"}"#, "card_number"),
            (#"{"seq":1,\#(sale),"PAN":"5500-0000-0000-0004"}"#, "PAN"),
            (#"{"seq":1,\#(sale),"track2":";4111111111111111=25121010000?"}"#, "track2"),
            (#"{"seq":1,\#(sale),"extra":{"t1":"%B4111111111111111^DOE/J^2512101"}}"#, "extra.t1"),
            (#"{"seq":1,\#(sale),"data":[1,2,6304000000000000018]}"#, "data[2]"),
            (#"{"seq":1,\#(sale),"pan_last4":"4111 1111 1111 1111"}"#, "pan_last4"),
            (#"{"seq":1,"type":"heartbeat",\#(at),"network":"4000000000000000006"}"#, "network"),
            (#"{"seq":1,"type":"tamper",\#(at),"sensor":"case","note":"4111 1111 1111 1111"}"#, "note"),
            // A card number where a SIM number belongs, or beside a real one, is still a card number.
            (#"{"seq":1,"type":"sim",\#(at),"iccid":"4000000000000000006"}"#, "iccid"),
            (#"{"seq":1,"type":"sim",\#(at),"iccid":"8949000000000000000","old":"5500000000000004"}"#, "old"),
            (#"{"seq":1,"type":"sim",\#(at),"4111111111111111":"x"}"#, "a key"),
        ]
        for (json, field) in cases {
            guard case .failure(let refusal) = parse(json) else {
                Issue.record("accepted \(json)")
                continue
            }
            #expect(refusal.reason.hasPrefix("\(field) holds card data"), "\(refusal.reason)")
            #expect(!refusal.reason.contains("1111") && !refusal.reason.contains("0000"), "\(refusal.reason)")
            #expect(refusal.seq == 1)
        }
        // A seq that is itself a card number is not repeated either.
        guard case .failure(let refusal) = parse(#"{"seq":4111111111111111,"type":"tamper",\#(at),"sensor":"x"}"#)
        else {
            Issue.record("accepted a card number as seq")
            return
        }
        #expect(refusal.seq == nil && refusal.reason.hasPrefix("seq holds card data"))
    }

    @Test func aSIMEventWithoutICCIDReportsItRemovedAndATransactionMayNameItsOperator() throws {
        let at = #""at":"2026-11-23T10:00:00Z""#
        #expect(try parse(#"{"seq":1,"type":"sim",\#(at)}"#).get().body == .sim(iccid: nil))
        #expect(try parse(#"{"seq":1,"type":"sim",\#(at),"iccid":null}"#).get().body == .sim(iccid: nil))
        let refund = try parse(
            #"{"seq":2,"type":"transaction",\#(at),"kind":"refund","amount_minor":500,"currency":"EUR","approved":true,"operator_id":"op-7"}"#
        ).get()
        #expect(
            refund.body
                == .transaction(
                    .refund, amountMinor: 500, currency: "EUR", approved: true, panLast4: nil, operatorID: "op-7"))
    }

    @Test func storedEventsAreReadWithoutTheStrictFieldCheck() throws {
        let object = try JSONDecoder().decode(
            [String: JSONValue].self,
            from: Data(#"{"seq":1,"type":"tamper","at":"2026-11-23T10:00:00Z","sensor":"x","note":"older agent"}"#.utf8)
        )
        #expect(throws: AgentEventParsing.Refusal.self) { try AgentEventParsing.parse(object).get() }
        #expect(try AgentEventParsing.parse(object, strict: false).get().body == .tamper(sensor: "x"))
    }

    @Test func acceptsSIMNumbersThatPassTheLuhnCheck() throws {
        let at = #""at":"2026-11-23T10:00:00Z""#
        for iccid in ["8949000000000000000", "894400000000000002", "89490000000000000015", "8931440000000000000120"] {
            let event = try parse(#"{"seq":1,"type":"sim",\#(at),"iccid":"\#(iccid)"}"#).get()
            #expect(event.body == .sim(iccid: iccid))
        }
    }

    @Test func rfc3339RoundTripsAndRejectsNonsense() {
        #expect(RFC3339.parse("2026-11-23T10:00:00Z") == now)
        #expect(RFC3339.parse("2026-11-23T11:00:00.500+01:00") == now.addingTimeInterval(0.5))
        #expect(RFC3339.parse("2026-11-23T04:30:00-05:30") == now)
        #expect(RFC3339.format(now) == "2026-11-23T10:00:00Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00Z")
        for bad in [
            "2026-13-01T00:00:00Z", "2026-11-23 10:00:00Z", "2026-11-23T10:00:00", "2026-11-23T10:00:00Zjunk", "",
        ] {
            #expect(RFC3339.parse(bad) == nil, "\(bad)")
        }
        // What people and clients name is from 1970 on; a terminal's clock may say anything.
        for early in ["0001-01-01T00:00:00Z", "1969-12-31T23:59:59Z", "1970-01-01T00:30:00+01:00"] {
            #expect(RFC3339.parseRecent(early) == nil && RFC3339.parse(early) != nil, "\(early)")
        }
        #expect(RFC3339.parseRecent("1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
    }
}
