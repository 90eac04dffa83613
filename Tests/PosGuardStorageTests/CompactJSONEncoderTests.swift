import Foundation
import Testing

@testable import PosGuardDomain
@testable import PosGuardStorage

@Suite("Compact JSON encoder")
struct CompactJSONEncoderTests {
    let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .millisecondsSince1970
        return d
    }()

    struct Everything: Codable, Equatable {
        enum Kind: String, Codable { case plain, odd }
        struct Inner: Codable, Equatable {
            var list: [[Int64]]
            var note: String?
            enum CodingKeys: String, CodingKey { case list, note }
        }
        struct Empty: Codable, Equatable {}
        var text: String
        var numbers: [Double]
        var big: Int64
        var small: Int8
        var flag: Bool
        var none: String?
        var explicitNull: Int?
        var kind: Kind
        var when: Date
        var id: UUID
        var inner: Inner
        var inners: [Inner]
        var map: [String: [Double]]
        var empty: Empty
        var emptyList: [Int]

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(text, forKey: .text)
            try c.encode(numbers, forKey: .numbers)
            try c.encode(big, forKey: .big)
            try c.encode(small, forKey: .small)
            try c.encode(flag, forKey: .flag)
            try c.encodeIfPresent(none, forKey: .none)
            try c.encode(explicitNull, forKey: .explicitNull)
            try c.encode(kind, forKey: .kind)
            try c.encode(when, forKey: .when)
            try c.encode(id, forKey: .id)
            // A nested container filled by hand, then a sibling written after it.
            var nested = c.nestedContainer(keyedBy: Inner.CodingKeys.self, forKey: .inner)
            var lists = nested.nestedUnkeyedContainer(forKey: .list)
            for list in inner.list { try lists.encode(list) }
            try nested.encodeIfPresent(inner.note, forKey: .note)
            try c.encode(inners, forKey: .inners)
            try c.encode(map, forKey: .map)
            try c.encode(empty, forKey: .empty)
            try c.encode(emptyList, forKey: .emptyList)
        }
    }

    @Test func whatItWritesJSONDecoderReadsBackAsItWas() throws {
        let value = Everything(
            text: "quote \" backslash \\ newline \n tab \t bell \u{07} nul \u{0} slash / 汉字 🚀 é",
            numbers: [0, -0.5, 0.1, 1e-7, 12_345.678, 1e300, -2, 52.520008],
            big: .max, small: -128, flag: true, none: nil, explicitNull: nil, kind: .odd,
            when: Date(timeIntervalSince1970: 1_795_000_000.123), id: UUID(),
            inner: .init(list: [[1, 2], [], [-3]], note: "n"),
            inners: [.init(list: [], note: nil), .init(list: [[Int64.min]], note: "")],
            map: ["gps": [12, 8.5], "wifi": [], "": [1]], empty: .init(), emptyList: [])
        let text = try CompactJSONEncoder().encode(value)
        let read = try decoder.decode(Everything.self, from: Data(text.utf8))
        #expect(read == value)
        #expect(text.contains(#""explicit_null":null"#) || text.contains(#""explicitNull":null"#))
        #expect(!text.contains("\"none\""), "an absent optional is left out")
        #expect(text.contains(#""empty":{}"#) && text.contains(#""emptyList":[]"#))
        #expect(try JSONSerialization.jsonObject(with: Data(text.utf8)) is [String: Any], "valid JSON")
    }

    @Test func aNumberJSONCannotHoldIsRefused() {
        struct Bad: Encodable { var x = Double.nan }
        #expect(throws: JSONWriter.NotANumber.self) { try CompactJSONEncoder().encode(Bad()) }
        #expect(throws: JSONWriter.NotANumber.self) { try CompactJSONEncoder().encode([Double.infinity]) }
        #expect(throws: JSONWriter.NotANumber.self) {
            try CompactJSONEncoder().encode([Date(timeIntervalSince1970: .nan)])
        }
    }

    @Test func aTerminalsAndAStoresMemoryRoundTrip() throws {
        let at = Date(timeIntervalSince1970: 1_795_000_000.5)
        var watch = TerminalWatch()
        watch.lastSeq = 42
        watch.missing = [MissingEvents(from: 3, to: 5, since: at, after: at)]
        watch.lastSeenAt = at
        watch.reportingInterval = 61.5
        watch.iccid = "8949000000000000042"
        watch.failedLogins = [.init(seq: 7, at: at)]
        watch.refunds = [.init(seq: 8, at: at, amountMinor: 1250, approved: false)]
        watch.silence = .offline
        watch.newestEventAt = at
        watch.catchingUp = true
        watch.clockSkewed = true
        watch.accuracies = ["gps": [8, 12.5], "cell": [900]]
        watch.lastSatelliteFix = Fix(latitude: 52.52, longitude: 13.405, accuracyM: 9, source: .gps, at: at)
        watch.lastNetworkFix = Fix(latitude: -33.9, longitude: 151.2, accuracyM: 1500, source: .cell, at: at)
        watch.placings = [.init(seq: 9, outside: true), .init(seq: 10, outside: false)]
        watch.excursionReported = true
        watch.lastFixSeenAt = at
        watch.fixSilenceReported = true
        watch.vagueStreak = [.init(seq: 11, at: at)]
        watch.placedBefore = true
        watch.blackoutSince = at
        watch.blackoutReported = true
        watch.signedIn = "op-\"7\""
        // Every stored property is set away from its default, so one the encoder dropped would show.
        #expect(
            Mirror(reflecting: watch).children.allSatisfy { child in
                "\(child.value)" != "\(Mirror(reflecting: TerminalWatch()).descendant(child.label!)!)"
            })
        let text = try EventRepository.encoded(watch)
        #expect(try decoder.decode(TerminalWatch.self, from: Data(text.utf8)) == watch)
        // Written by hand, with the keys and values its synthesized encoding writes, full or empty; and read by
        // hand, as `Decodable` reads it.
        for saved in [watch, TerminalWatch()] {
            #expect(
                try JSONValue.parse(Array(saved.json().utf8))
                    == JSONValue.parse(Array(CompactJSONEncoder().encode(saved).utf8)))
            #expect(try TerminalWatch(json: saved.json()) == saved)
        }
        // What older versions saved: keys left out or null, and the streak of fixes outside before placings.
        let older = [
            #"{"lastSeq":3,"failedLogins":[],"refunds":[],"silence":"none"}"#,
            #"{"lastSeq":3,"failedLogins":[],"refunds":[],"silence":"missing","outsideStreak":[1,2],"iccid":null}"#,
            #"{"lastSeq":3,"failedLogins":[],"refunds":[],"silence":"none","placings":null,"outsideStreak":[4]}"#,
        ]
        for text in older {
            #expect(
                try TerminalWatch(json: text) == decoder.decode(TerminalWatch.self, from: Data(text.utf8)), "\(text)")
        }
        // What neither reads is refused by both, naming the field.
        for (text, field) in [
            (#"{"lastSeq":3,"refunds":[],"silence":"none"}"#, "failedLogins"),
            (#"{"lastSeq":3,"failedLogins":[],"refunds":[],"silence":"loud"}"#, "silence"),
            (#"{"lastSeq":1.5,"failedLogins":[],"refunds":[],"silence":"none"}"#, "lastSeq"),
            (#"{"lastSeq":3,"failedLogins":[{"seq":1}],"refunds":[],"silence":"none"}"#, "failedLogins[0].at"),
            (
                #"{"lastSeq":3,"failedLogins":[],"refunds":[],"silence":"none","lastNetworkFix":{"latitude":1,"longitude":2,"accuracyM":3,"source":"radio","at":0}}"#,
                "lastNetworkFix.source"
            ),
        ] {
            #expect(throws: TerminalWatch.Unreadable(field: field)) { try TerminalWatch(json: text) }
            #expect(throws: DecodingError.self) { try decoder.decode(TerminalWatch.self, from: Data(text.utf8)) }
        }
        // JSON has no infinities: a watch holding one is refused, never saved as text nothing reads back.
        var unwritable = watch
        unwritable.lastNetworkFix?.accuracyM = .infinity
        #expect(throws: JSONWriter.NotANumber.self) { try unwritable.json() }
        unwritable = watch
        unwritable.missing[0].since = Date(timeIntervalSince1970: -.infinity)
        #expect(throws: JSONWriter.NotANumber.self) { try unwritable.json() }

        var store = StoreWatch()
        store.refunds = [
            .init(terminalID: UUID(), seq: 1, at: at, amountMinor: 500, approved: true, operatorID: "op-1"),
            .init(terminalID: UUID(), seq: 2, at: at, amountMinor: 70_000),
        ]
        let storeText = try EventRepository.encoded(store)
        #expect(try decoder.decode(StoreWatch.self, from: Data(storeText.utf8)) == store)
    }
}
