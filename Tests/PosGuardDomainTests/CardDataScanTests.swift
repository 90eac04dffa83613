import Foundation
import PosGuardDomain
import Testing

@Suite("Card data scan")
struct CardDataScanTests {
    /// Published test card numbers of every length PosGuard must catch.
    static let testPANs = [
        "4111111111111111",  // Visa, 16
        "4222222222222",  // Visa, 13
        "5500000000000004",  // Mastercard, 16
        "378282246310005",  // American Express, 15
        "30569309025904",  // Diners Club, 14
        "6011000990139424",  // Discover, 16
        "3530111333300000",  // JCB, 16
        "6304000000000000018",  // Maestro, 19
        "4000000000000000006",  // Visa, 19
    ]

    @Test(arguments: testPANs)
    func findsACardNumberHoweverItIsWritten(pan: String) {
        let spaced = stride(from: 0, to: pan.count, by: 4).map { start in
            String(pan.dropFirst(start).prefix(4))
        }
        for text in [
            pan, spaced.joined(separator: " "), spaced.joined(separator: "-"), spaced.joined(separator: " - "),
            "card \(pan) declined", "ref 12 \(spaced.joined(separator: " "))", "x\(pan)y", "\t\(pan)\n",
        ] {
            #expect(CardDataScan.containsCardData(text), "\(text)")
        }
    }

    @Test func leavesOrdinaryTextAndNumbersAlone() {
        let texts = [
            "4111111111111112",  // fails Luhn
            "5500 0000 0000 0005",  // fails Luhn
            "411111111111",  // 12 digits
            "41111111111111111111",  // 20 digits: longer than any PAN
            "pan_last4 4242", "2026-11-27T08:13:23Z", "+49 30 1234567", "amount 125000 EUR",
            "0193a8f2-7c4e-7d1a-9b2c-1f2e3d4c5b6a", "52.520008, 13.404954",  // short fractions
            "89490000000000000015",  // 20-digit ICCID
            "8931440000000000000120",  // 22-digit ICCID
            "",
        ]
        for text in texts { #expect(!CardDataScan.containsCardData(text), "\(text)") }
        // ICCIDs pass the Luhn check: in an ICCID field they are SIM numbers; anywhere else `89` + a card number
        // would slip through, so they are not exempt.
        for iccid in ["8949000000000000000", "894400000000000002"] {
            #expect(CardDataScan.passesLuhn(Array(iccid.utf8)))
            #expect(!CardDataScan.containsCardData(iccid, iccidField: true) && CardDataScan.containsCardData(iccid))
        }
        #expect(CardDataScan.isICCIDField("iccid") && CardDataScan.isICCIDField("allowed_iccids[2]"))
    }

    @Test func findsCardNumbersWrittenWithAnySeparator() {
        for text in [
            "4111.1111.1111.1111", "4111/1111/1111/1111", "4111_1111_1111_1111", "4111,1111,1111,1111",
            "4111    1111    1111    1111", "ref 0.4111111111111111",
            #"{"lat":52.52000812345673}"#,  // a 14-digit fraction passing Luhn is refused in text
        ] {
            #expect(CardDataScan.containsCardData(text), "\(text)")
        }
    }

    @Test func findsCardNumbersWrittenInOtherDigits() {
        for text in [
            "４１１１１１１１１１１１１１１１",  // full-width
            "٤١١١١١١١١١١١١١١١",  // Arabic-Indic
            "۴۱۱۱ ۱۱۱۱ ۱۱۱۱ ۱۱۱۱",  // Persian, in groups
            "4111１１１１11111111",  // mixed
            "卡号 ４１１１－１１１１－１１１１－１１１１ 有效",  // full-width dashes, among other text
            "；４１１１１１１１１１１１１１１１＝２５１２",  // track 2 in full-width forms
        ] {
            #expect(CardDataScan.containsCardData(text), "\(text)")
        }
        for text in [
            "４１１１１１１１１１１１１１１２", "店铺 北京 2026-11-27", "٤٢٤٢", "Zürich 8001",
            "终端01996845-1851-7a5d-8223-2891bea00aad已锁定",  // an id beside other script's letters is still an id
        ] {
            #expect(!CardDataScan.containsCardData(text), "\(text)")
        }
    }

    @Test func findsTrackData() {
        let tracks = [
            "%B4111111111111111^DOE/JOHN^2512101000000000000?",  // track 1
            "B4111111111111112^DOE/JOHN^25121010000",  // track 1 without sentinel, PAN failing Luhn
            ";4111111111111111=25121010000000000?",  // track 2
            ";4111111111111112=2512101?",  // track 2 with sentinel, PAN failing Luhn
            ";411111111111=?",  // track 2 with sentinels and the shortest account number: 12 digits in all
            "4111111111111111=2512101",  // track 2 without sentinels
            "4111111111111111D25121010000000000F",  // EMV tag 57, track 2 equivalent
            "8949000000000000000=2512101",  // an ICCID-shaped PAN is still track data with an expiry
        ]
        for text in tracks { #expect(CardDataScan.containsCardData(text), "\(text)") }
        #expect(!CardDataScan.containsCardData("a=b^c^d"))
        #expect(!CardDataScan.containsCardData("41111111111=2512"))
    }

    @Test func scansEveryKeyStringAndNumberOfJSON() throws {
        func value(_ json: String) throws -> JSONValue { try JSONValue.parse(Array(json.utf8)) }
        #expect(try CardDataScan.location(in: value(#"{"card_number":"4111 1111 1111 1111"}"#)) == "card_number")
        #expect(try CardDataScan.location(in: value(#"{"a":{"b":[1,{"PAN":5500000000000004}]}}"#)) == "a.b[1].PAN")
        #expect(try CardDataScan.location(in: value(#"{"x":{"4111111111111111":true}}"#)) == "a key of x")
        #expect(try CardDataScan.location(in: value(#"{"track2":";4111111111111111=2512?"}"#)) == "track2")
        // A 19-digit JSON number cannot be read back exactly, so it is refused without a Luhn check.
        #expect(try CardDataScan.location(in: value(#"{"n":6304000000000000018}"#)) == "n")
        #expect(try CardDataScan.location(in: value(#"{"n":4111111111111111.0}"#)) == "n")
        #expect(try CardDataScan.location(in: value(#"{"n":-4111111111111111}"#)) == "n")
        #expect(
            try CardDataScan.location(
                in: value(#"{"seq":1,"amount_minor":125000,"lat":52.52,"at":"2026-11-23T10:00:00Z"}"#)) == nil)
        #expect(try CardDataScan.location(in: value(#"{"n":4111111111111112}"#)) == nil)
        #expect(try CardDataScan.location(in: value(#"{"n":1e300,"m":41111111111111111111}"#)) == nil)
        #expect(try CardDataScan.location(in: value(#"{"iccid":"8949000000000000000"}"#)) == "iccid")
    }

    @Test func redactsCardDataAndKeepsTheRest() throws {
        let stored = try JSONValue.parse(
            Array(
                #"{"seq":3,"type":"transaction","card_number":"4111 1111 1111 1111","n":[5500000000000004,7],"5500000000000004":1,"pan_last4":"0004"}"#
                    .utf8))
        let clean = CardDataScan.redacted(stored)
        #expect(!CardDataScan.containsCardData(clean))
        #expect(
            clean.text
                == #"{"card_number":"[card data removed]","n":["[card data removed]",7],"pan_last4":"0004","seq":3,"type":"transaction"}"#
        )
    }

    /// An id is never card data, however its digits fall; a card number beside one still is.
    @Test func idsAreNotCardNumbers() {
        let id = "01A21D91-4B47-7884-8159-04156BF7674F"
        #expect(!CardDataScan.containsCardData(id) && !CardDataScan.containsCardData(id.lowercased()))
        #expect(!CardDataScan.containsCardData(#"{"merchant_id":"\#(id)","terminal_ids":["\#(id)"]}"#))
        let generator = (0..<20_000).map { _ in UUID().uuidString }
        #expect(generator.allSatisfy { !CardDataScan.containsCardData($0) })
        #expect(CardDataScan.containsCardData("\(id) 4111 1111 1111 1111"))
        #expect(CardDataScan.containsCardData("4111-1111-1111-1111"))
        // Not a UUID: the wrong shape, or glued to more text.
        #expect(CardDataScan.containsCardData("x01A21D91-4B47-7884-8159-04156BF7674F"))
        #expect(CardDataScan.containsCardData("01A21D91-4B47-7884-8159-04156BF7674F-1"))
    }
}
