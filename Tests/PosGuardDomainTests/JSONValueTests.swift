import Foundation
import PosGuardDomain
import Testing

@Suite("JSON values")
struct JSONValueTests {
    @Test func readsWhatFoundationReads() throws {
        let samples = [
            #"{"events":[{"seq":1,"type":"heartbeat","at":"2026-11-23T10:00:00Z","battery":80,"charging":true,"ip":null}]}"#,
            #"[1,-2.5,3e2,0,-0.0,"a\"b\\c\/d\n\t\u00e9\ud83d\ude00",true,false,null,{},[]]"#,
            #"  {"nested": {"deeper": [ {"k": "v"} ] } }  "#,
        ]
        for text in samples {
            let ours = try JSONValue.parse(Array(text.utf8))
            let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            #expect(ours == foundation, "\(text)")
            #expect(try JSONValue.parse(Array(ours.text.utf8)) == ours, "round trip of \(text)")
        }
        #expect(try JSONValue.parse(Array(#""é😀""#.utf8)) == .string("é😀"))
    }

    @Test func refusesMalformedText() throws {
        let bad = [
            "", "{", #"{"a":}"#, #"{"a" 1}"#, "[1,]", "[1 2]", "01", "1.", "-", #""unterminated"#, #""bad \x escape""#,
            #""\ud800""#, "tru", "nul", "{} extra", "\"tab\tinside\"", "NaN",
            String(repeating: "[", count: 40) + String(repeating: "]", count: 40),
        ]
        for text in bad {
            #expect(throws: JSONValue.SyntaxError.self, "\(text)") { try JSONValue.parse(Array(text.utf8)) }
        }
        // A name given twice: where that is refused (API bodies), at the second, without repeating it; elsewhere
        // (an agent's batch, what is stored) the last counts.
        for text in [#"{"events":[],  "events":[1]}"#, #"{"x":{"b":1,"b":2}}"#] {
            #expect(throws: JSONValue.SyntaxError.self) {
                try JSONValue.parse(Array(text.utf8), duplicateNames: .refused)
            }
        }
        let twice = #expect(throws: JSONValue.SyntaxError.self) {
            try JSONValue.parse(Array(#"{"events":[],  "events":[1]}"#.utf8), duplicateNames: .refused)
        }
        #expect(twice?.offset == 15 && twice?.message == "a member name appears twice in one object")
        #expect(try JSONValue.parse(Array(#"{"a":1,"a":2}"#.utf8)) == .object(["a": 2]))
    }

    @Test func refusesTextThatIsNotUTF8InsteadOfRepairingIt() {
        let bad: [[UInt8]] = [
            [0x22, 0xFF, 0x22], [0x22, 0x61, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xC0, 0xAF, 0x22],
            Array(#"{"sensor":""#.utf8) + [0x63, 0x61, 0xFE] + Array(#"\n"}"#.utf8),
            Array(#"{"k\n"#.utf8) + [0x80] + Array(#"":1}"#.utf8),
        ]
        for bytes in bad {
            #expect(throws: JSONValue.SyntaxError.self, "\(bytes)") { try JSONValue.parse(bytes) }
        }
        let error = #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse([0x22, 0xFF, 0x22]) }
        #expect(error?.message == "text that is not UTF-8")
    }

    @Test func writesCompactSortedText() throws {
        let value: JSONValue = .object(["b": 1, "a": .array([true, .null, 2.5, "x\"y\n"])])
        #expect(value.text == #"{"a":[true,null,2.5,"x\"y\n"],"b":1}"#)
        #expect(JSONValue.string("\u{01}").text == #""\u0001""#)
        #expect(JSONValue.string("Zürich 北京 🚚").text == #""Zürich 北京 🚚""#)
        #expect(JSONValue.string("a\\b\u{1F}é").text == #""a\\b\u001fé""#)
    }
}
