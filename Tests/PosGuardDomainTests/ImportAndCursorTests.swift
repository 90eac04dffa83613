import Foundation
import Testing

@testable import PosGuardDomain

@Suite("CSV import and cursors")
struct ImportAndCursorTests {
    @Test func csvHandlesQuotesCommasAndLineBreaks() throws {
        let records = try CSV.parse("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n\n1,,3")
        #expect(records.map(\.fields) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["1", "", "3"]])
        #expect(records.map(\.line) == [1, 2, 5])
    }

    @Test func csvRejectsBrokenQuoting() {
        #expect(throws: CSV.Malformed(line: 2, message: "a quoted field is not closed")) { try CSV.parse("a\n\"open") }
        #expect(throws: CSV.Malformed.self) { try CSV.parse("a\nx\"y") }
    }

    @Test func importReadsGoodRows() throws {
        let (rows, errors) = TerminalImport.read(
            "make,model,serial,tid,mid,store_code,state\nIngenico, Move/5000 ,SN1,T0000001,M1,S-1,active\nPAX,A920,SN2,T2,M1,S-1,"
        )
        #expect(errors.isEmpty)
        #expect(rows.map(\.details.model) == ["Move/5000", "A920"])
        #expect(rows.map(\.state) == [.active, .inventory])
        #expect(rows.map(\.line) == [2, 3])
        // A spreadsheet's UTF-8 file starts with a byte order mark: it is not part of the first column's name.
        let saved = TerminalImport.read("\u{FEFF}make,model,serial,tid,mid,store_code\nPAX,A920,SN3,T3,M1,S-1")
        #expect(saved.errors.isEmpty && saved.rows.map(\.details.serial) == ["SN3"])
        #expect(try CSV.parse("\u{FEFF}").isEmpty && CSV.parse("\u{FEFF}\u{FEFF}a").map(\.fields) == [["\u{FEFF}a"]])
    }

    @Test func importRefusesCardDataInAnyCellWithoutRepeatingIt() {
        let (rows, errors) = TerminalImport.read(
            "make,model,serial,tid,mid,store_code,iccid\n"
                + "PAX,A920,4111 1111 1111 1111,T1,M1,S-1,\n"
                + "PAX,\";4111111111111111=2512101?\",SN2,T2,M1,S-1,\n"
                + "PAX,A920,SN3,T3,M1,5500-0000-0000-0004,8949000000000000000\n"
                + "PAX,A920,SN4,T4,M1,S-1,8949000000000000000\n")
        #expect(
            errors == [
                .init(line: 2, field: "serial", message: TerminalImport.cardDataMessage),
                .init(line: 3, field: "model", message: TerminalImport.cardDataMessage),
                .init(line: 4, field: "store_code", message: TerminalImport.cardDataMessage),
            ])
        #expect(!errors.map(\.message).joined().contains("1111"))
        #expect(rows.map(\.details.serial) == ["SN4"], "a SIM number that passes the Luhn check is imported")
        let header = TerminalImport.read("make,model,serial,tid,mid,store_code,4111111111111111\n")
        #expect(header.errors == [.init(line: 1, field: "header", message: TerminalImport.cardDataMessage)])
    }

    @Test func importReportsEveryBadRowByLine() {
        let (_, errors) = TerminalImport.read(
            "make,model,serial,tid,mid,store_code,state\n,A920,SN1,T1,M1,S-1,\nPAX,A920,SN2,TOOLONGTID,M1,S-1,stolen\nPAX,A920\n"
        )
        #expect(
            errors == [
                .init(line: 2, field: "make", message: "must not be empty"),
                .init(line: 3, field: "tid", message: "must be at most 8 characters"),
                .init(line: 3, field: "state", message: "must be inventory or active"),
                .init(line: 4, field: "row", message: "has 2 fields, the header has 7"),
            ])
    }

    @Test func importNeedsTheRequiredColumns() {
        let (rows, errors) = TerminalImport.read("make,model,serial,colour\nA,B,C,red")
        #expect(rows.isEmpty)
        #expect(errors.map(\.field) == ["tid", "mid", "store_code", "colour"])
        #expect(TerminalImport.read("").errors.map(\.message) == ["is empty: expected a header row"])
    }

    @Test func cursorsRoundTripAndRejectForgeries() {
        let id = UUID()
        #expect(Cursor(token: Cursor(afterID: id).token) == Cursor(afterID: id))
        #expect(Cursor(token: "not-a-cursor") == nil)
        #expect(Cursor(token: "") == nil)
    }

    @Test func onlyTheExactTokenIssuedIsACursor() {
        let id = UUID()
        let token = Cursor(afterID: id).token
        // The same position with the id in capitals, or with base64 padding, is not a token the server issued.
        let capitals = Data(id.uuidString.uppercased().utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        #expect(Cursor(token: capitals) == nil)
        #expect(Cursor(token: token + "==") == nil)
        #expect(token.count == 48)
    }
}
