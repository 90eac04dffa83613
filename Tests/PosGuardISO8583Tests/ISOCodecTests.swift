import PosGuardISO8583
import Testing

@Suite("ISO 8583 codec")
struct ISOCodecTests {
    let codec = ISOCodec()

    static let authorization = ISOMessage(
        mti: "0100",
        fields: [
            2: "4761739001010119", 3: "000000", 4: "000000001250", 7: "1125101530", 11: "000123", 12: "111530",
            13: "1125", 22: "051", 25: "00", 37: "533010000123", 41: "PG000001", 42: "HPMKBBER01     ",
            43: "Kiez Baeckerei Kreuzberg       Berlin DE", 49: "978",
        ])

    @Test func roundTripsAnAuthorizationRequest() throws {
        let bytes = try codec.encode(Self.authorization)
        let text = String(decoding: bytes, as: UTF8.self)
        // MTI, then the primary bitmap: fields 2,3,4,7 / 11,12,13 / 22,25 / 37 / 41,42,43 / 49.
        #expect(text.hasPrefix("0100" + "7238048008E08000"))
        #expect(text.contains("164761739001010119000000000000001250"), "LLVAR PAN with its two-digit length")
        #expect(try codec.decode(bytes) == Self.authorization)
    }

    @Test func secondaryBitmapCarriesFields65To128() throws {
        var message = Self.authorization
        message[102] = "ACC123"
        message[128] = "0123456789ABCDEF"
        let bytes = try codec.encode(message)
        #expect(String(decoding: bytes.prefix(20), as: UTF8.self) == "0100F238048008E08000")
        #expect(try codec.decode(bytes) == message)
    }

    @Test func responseMTIs() {
        #expect(ISOMessage(mti: "0100").responseMTI == "0110")
        #expect(ISOMessage(mti: "0200").responseMTI == "0210")
        #expect(ISOMessage(mti: "0110").responseMTI == nil)
    }

    @Test func everyKindOfBrokenMessageIsAFormatErrorNamingTheField() throws {
        let good = try codec.encode(Self.authorization)
        let cases: [([UInt8], Int, String)] = [
            (Array(good.prefix(3)), 0, "ends too early"),
            (Array("01X0".utf8) + good.dropFirst(4), 0, "four digits"),
            (Array(good.prefix(4)) + Array("ZZ".utf8) + good.dropFirst(6), 1, "hexadecimal"),
            (Array(good.prefix(20)) + Array("X6".utf8) + good.dropFirst(22), 2, "length prefix"),
            (Array(good.prefix(20)) + Array("99".utf8) + good.dropFirst(22), 2, "length prefix"),
            (Array(good.dropLast(2)), 49, "ends too early"),
            (good + Array("!".utf8), 49, "unexpected bytes"),
        ]
        for (bytes, field, message) in cases {
            let error = try #require(throws: ISOFormatError.self) { try codec.decode(bytes) }
            #expect(error.field == field && error.description.contains(message), "\(error)")
        }
        // A numeric field with a letter in it, and a field no layout describes.
        var bad = Self.authorization
        bad[4] = "00000000125A"
        #expect(throws: ISOFormatError(field: 4, "must be digits")) { try codec.encode(bad) }
        let unknownField = Array("0100".utf8) + Array("0000000000000008".utf8) + Array("x".utf8)
        #expect(throws: ISOFormatError(field: 61, "is not a field this server reads")) {
            try ISOCodec(specs: [:]).decode(unknownField)
        }
        bad = Self.authorization
        bad[41] = "SHORT"
        #expect(throws: ISOFormatError(field: 41, "must be exactly 8 characters")) { try codec.encode(bad) }
    }
}
