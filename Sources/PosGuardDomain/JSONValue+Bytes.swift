/// Reading and writing `JSONValue` straight from and to UTF-8 bytes (RFC 8259), without Foundation's
/// coders: an agent's batch of a hundred events is read and each event written back for storage at a
/// fraction of their cost, and nesting deeper than a sane limit is refused rather than recursed into.
extension JSONValue {
    public struct SyntaxError: Error, Equatable, Sendable {
        public var offset: Int
        public var message: String
    }

    public static let maximumDepth = 32

    /// What a name given twice in one object means (RFC 8259 §4 leaves it open, and readers disagree).
    public enum DuplicateNames: Sendable {
        /// The last one counts, as in an agent's batch and what is already stored.
        case lastCounts
        /// The text is refused, as in an API request body.
        case refused
    }

    public static func parse(_ bytes: some Collection<UInt8>, duplicateNames: DuplicateNames = .lastCounts)
        throws(SyntaxError) -> JSONValue
    {
        let array = Array(bytes)
        var reader = Reader(bytes: array, refusesDuplicates: duplicateNames == .refused)
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.at == array.count else {
            throw SyntaxError(offset: reader.at, message: "unexpected text after the value")
        }
        return value
    }

    /// Compact JSON text, object keys sorted so equal values write equal text.
    public var text: String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Writes the value's compact JSON text as UTF-8 bytes: appending bytes costs a fraction of appending
    /// to a `String`, and a batch writes every event back this way.
    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): Self.write(number: n, to: &out)
        case .string(let s): Self.write(string: s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, member) in members.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.write(string: member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// A finite number as JSON text: integers without a fraction, others as Swift's shortest round-trip form.
    public static func write(number n: Double, to out: inout [UInt8]) {
        if n == n.rounded(), abs(n) < 1e15 {
            out.append(contentsOf: String(Int64(n)).utf8)
        } else {
            out.append(contentsOf: "\(n)".utf8)
        }
    }

    /// A string as JSON text, quoted and escaped.
    public static func write(string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Nearly every string needs no escape: its bytes, read straight from the string's storage, are its text.
        var string = string
        let copied = string.withUTF8 { utf8 in
            guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
            else { return false }
            out.append(contentsOf: utf8)
            return true
        }
        if copied {
            out.append(UInt8(ascii: "\""))
            return
        }
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out.append(contentsOf: #"\""#.utf8)
            case "\\": out.append(contentsOf: #"\\"#.utf8)
            case "\n": out.append(contentsOf: #"\n"#.utf8)
            case "\r": out.append(contentsOf: #"\r"#.utf8)
            case "\t": out.append(contentsOf: #"\t"#.utf8)
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default: UTF8.encode(scalar, into: { out.append($0) })
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    struct Reader {
        let bytes: [UInt8]
        let refusesDuplicates: Bool
        var at = 0

        mutating func skipSpace() {
            while at < bytes.count {
                switch bytes[at] {
                case 0x20, 0x09, 0x0A, 0x0D: at += 1
                default: return
                }
            }
        }

        func fail(_ message: String) -> SyntaxError { SyntaxError(offset: at, message: message) }

        mutating func value(depth: Int) throws(SyntaxError) -> JSONValue {
            guard depth < JSONValue.maximumDepth else { throw fail("nested too deeply") }
            guard at < bytes.count else { throw fail("unexpected end of input") }
            switch bytes[at] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func literal(_ word: StaticString) throws(SyntaxError) {
            let count = word.utf8CodeUnitCount
            guard at + count <= bytes.count else { throw fail("unexpected end of input") }
            for i in 0..<count where bytes[at + i] != word.utf8Start[i] { throw fail("unknown literal") }
            at += count
        }

        mutating func object(depth: Int) throws(SyntaxError) -> JSONValue {
            at += 1
            // Room for an event's fields from the start: growing a dictionary one doubling at a time rehashes
            // every key each time.
            var members = [String: JSONValue](minimumCapacity: 8)
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
                at += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
                let keyAt = at
                let key = try string()
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                at += 1
                skipSpace()
                // The name is not repeated in the refusal (it could be anything).
                guard members.updateValue(try value(depth: depth + 1), forKey: key) == nil || !refusesDuplicates
                else {
                    throw SyntaxError(offset: keyAt, message: "a member name appears twice in one object")
                }
                skipSpace()
                guard at < bytes.count else { throw fail("unexpected end of input") }
                if bytes[at] == UInt8(ascii: ",") {
                    at += 1
                } else if bytes[at] == UInt8(ascii: "}") {
                    at += 1
                    return .object(members)
                } else {
                    throw fail("expected ',' or '}'")
                }
            }
        }

        mutating func array(depth: Int) throws(SyntaxError) -> JSONValue {
            at += 1
            var items: [JSONValue] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
                at += 1
                return .array(items)
            }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard at < bytes.count else { throw fail("unexpected end of input") }
                if bytes[at] == UInt8(ascii: ",") {
                    at += 1
                } else if bytes[at] == UInt8(ascii: "]") {
                    at += 1
                    return .array(items)
                } else {
                    throw fail("expected ',' or ']'")
                }
            }
        }

        mutating func number() throws(SyntaxError) -> Double {
            let start = at
            if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
            let digits = at
            while at < bytes.count, (0x30...0x39).contains(bytes[at]) { at += 1 }
            guard at > digits, !(bytes[digits] == 0x30 && at - digits > 1) else { throw fail("invalid number") }
            if at < bytes.count, bytes[at] == UInt8(ascii: ".") {
                at += 1
                let fraction = at
                while at < bytes.count, (0x30...0x39).contains(bytes[at]) { at += 1 }
                guard at > fraction else { throw fail("invalid number") }
            }
            if at < bytes.count, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
                at += 1
                if at < bytes.count, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") { at += 1 }
                let exponent = at
                while at < bytes.count, (0x30...0x39).contains(bytes[at]) { at += 1 }
                guard at > exponent else { throw fail("invalid number") }
            }
            guard let value = Double(String(decoding: bytes[start..<at], as: UTF8.self)), value.isFinite else {
                throw fail("invalid number")
            }
            return value
        }

        mutating func string() throws(SyntaxError) -> String {
            at += 1
            // Nearly every string has no escape: its bytes are the string, checked as UTF-8 once. Most are ASCII,
            // which is UTF-8 as it stands: made a string without the generic validation (that looked its generic
            // types up at every call: under batches of 100 events, parsing went from 12.9 % to 9.1 % of the server's
            // samples without it).
            var end = at
            var bits: UInt8 = 0
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"),
                bytes[end] >= 0x20
            {
                bits |= bytes[end]
                end += 1
            }
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                let run = bytes[at..<end]
                guard
                    let text = bits < 0x80
                        ? String(decoding: run, as: UTF8.self) : String(validating: run, as: UTF8.self)
                else {
                    throw SyntaxError(offset: at, message: "text that is not UTF-8")
                }
                at = end + 1
                return text
            }
            var scalars = String.UnicodeScalarView()
            var runStart = at
            // Text that is not UTF-8 is refused, never repaired: a stored U+FFFD would no longer be what was
            // sent (RFC 8259 §8.1).
            func flush(_ end: Int) throws(SyntaxError) {
                guard let run = String(validating: bytes[runStart..<end], as: UTF8.self) else {
                    throw SyntaxError(offset: runStart, message: "text that is not UTF-8")
                }
                scalars.append(contentsOf: run.unicodeScalars)
            }
            while at < bytes.count {
                let byte = bytes[at]
                if byte == UInt8(ascii: "\"") {
                    try flush(at)
                    at += 1
                    return String(scalars)
                }
                if byte < 0x20 { throw fail("control character in a string") }
                if byte != UInt8(ascii: "\\") {
                    at += 1
                    continue
                }
                try flush(at)
                at += 1
                guard at < bytes.count else { break }
                let escape = bytes[at]
                at += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u")
                        else {
                            throw fail("unpaired surrogate")
                        }
                        at += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw fail("invalid \\u escape") }
                    scalars.append(scalar)
                default: throw fail("invalid escape")
                }
                runStart = at
            }
            throw fail("unterminated string")
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            guard at + 4 <= bytes.count else { throw fail("invalid \\u escape") }
            var code: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[at]
                let digit: UInt8
                switch b {
                case 0x30...0x39: digit = b - 0x30
                case 0x41...0x46: digit = b - 0x37
                case 0x61...0x66: digit = b - 0x57
                default: throw fail("invalid \\u escape")
                }
                code = code << 4 | UInt32(digit)
                at += 1
            }
            return code
        }
    }
}
