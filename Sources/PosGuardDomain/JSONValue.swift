/// Any JSON value, for payloads whose shape is checked field by field rather than decoded into a type
/// (an agent's event batch, where one bad event must not spoil the others).
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let n): try c.encode(n)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var number: Double? { if case .number(let n) = self { n } else { nil } }
    public var object: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { a } else { nil } }

    /// The number, if it is a whole number that fits in 64 bits.
    public var integer: Int64? {
        guard case .number(let n) = self, n == n.rounded(), abs(n) < 9e15 else { return nil }
        return Int64(n)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByFloatLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue {
    /// The path of the first value or key, in key order, that a check flags — `extra.note[0]`, `a key of extra`,
    /// `value` for the whole — or nil when none is.
    public func firstFlagged(text: (String) -> Bool, number: (Double) -> Bool = { _ in false }) -> String? {
        // Nothing is flagged in nearly every value: found without naming paths or sorting keys.
        guard anyFlagged(text: text, number: number) else { return nil }
        return firstFlagged(text: text, number: number, path: "")
    }

    private func anyFlagged(text: (String) -> Bool, number: (Double) -> Bool) -> Bool {
        switch self {
        case .null, .bool: false
        case .string(let value): text(value)
        case .number(let value): number(value)
        case .array(let items): items.contains { $0.anyFlagged(text: text, number: number) }
        case .object(let members):
            members.contains { text($0.key) || $0.value.anyFlagged(text: text, number: number) }
        }
    }

    private func firstFlagged(text: (String) -> Bool, number: (Double) -> Bool, path: String) -> String? {
        switch self {
        case .null, .bool: return nil
        case .string(let value): return text(value) ? (path.isEmpty ? "value" : path) : nil
        case .number(let value): return number(value) ? (path.isEmpty ? "value" : path) : nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = item.firstFlagged(text: text, number: number, path: "\(path)[\(index)]") { return found }
            }
            return nil
        case .object(let members):
            for key in members.keys.sorted() {
                if text(key) { return path.isEmpty ? "a key" : "a key of \(path)" }
                let child = path.isEmpty ? key : "\(path).\(key)"
                if let found = members[key]!.firstFlagged(text: text, number: number, path: child) { return found }
            }
            return nil
        }
    }
}
