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
            "0193a8f2-7c4e-7d1a-9b2c-1f2e3d4c5b6a", "4111.1111.1111.1111",
            #"{"lat":52.52000812345673,"lon":0.30000000000000004}"#,  // long fractions are not card numbers
            "8949000000000000000",  // a SIM's ICCID, 19 digits with its Luhn check digit
            "89490000000000000015",  // 20-digit ICCID
            "894400000000000002",  // 18-digit ICCID
            "8931440000000000000120",  // 22-digit ICCID
            "",
        ]
        for text in texts { #expect(!CardDataScan.containsCardData(text), "\(text)") }
        for iccid in ["8949000000000000000", "894400000000000002", "8931440000000000000120"] {
            #expect(CardDataScan.passesLuhn(Array(iccid.utf8)), "the ICCIDs above do pass Luhn")
        }
        #expect(CardDataScan.passesLuhn(Array("52000812345673".utf8)), "and so does the fraction above")
    }

    @Test func findsTrackData() {
        let tracks = [
            "%B4111111111111111^DOE/JOHN^2512101000000000000?",  // track 1
            "B4111111111111112^DOE/JOHN^25121010000",  // track 1 without sentinel, PAN failing Luhn
            ";4111111111111111=25121010000000000?",  // track 2
            ";4111111111111112=2512101?",  // track 2 with sentinel, PAN failing Luhn
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
        #expect(try CardDataScan.location(in: value(#"{"iccid":"8949000000000000000"}"#)) == nil)
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
}
