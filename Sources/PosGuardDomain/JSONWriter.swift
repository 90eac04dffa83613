import Foundation

/// Writes JSON text member by member, straight to UTF-8 bytes, for values saved so often that going through
/// `Encodable`'s containers shows in a profile (a terminal's detection memory, with every batch). Dates are
/// written as milliseconds since 1970, as `JSONEncoder` with `.millisecondsSince1970` does; absent optionals
/// are left out, as synthesized `Encodable` code does.
public struct JSONWriter {
    public struct NotANumber: Error, CustomStringConvertible {
        public var description: String
    }

    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// An object whose members `body` writes.
    public mutating func object(_ body: (inout JSONWriter) throws -> Void) rethrows {
        bytes.append(UInt8(ascii: "{"))
        try body(&self)
        bytes.append(UInt8(ascii: "}"))
    }

    /// An array of `items`, each written by `each`.
    public mutating func array<Items: Sequence>(
        _ items: Items, _ each: (inout JSONWriter, Items.Element) throws -> Void
    ) rethrows {
        bytes.append(UInt8(ascii: "["))
        for item in items {
            separate()
            try each(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// The key of the next member.
    public mutating func key(_ key: String) {
        separate()
        JSONValue.write(string: key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func value(_ v: Int64) { bytes.append(contentsOf: String(v).utf8) }
    public mutating func value(_ v: Bool) { bytes.append(contentsOf: (v ? "true" : "false").utf8) }
    public mutating func value(_ v: String) { JSONValue.write(string: v, to: &bytes) }
    public mutating func value(_ v: Date) throws { try value(v.timeIntervalSince1970 * 1000) }
    public mutating func value(_ v: Double) throws { JSONValue.write(number: try Self.finite(v), to: &bytes) }

    /// `v`, if JSON can write it: JSON has no infinities and no NaN.
    public static func finite(_ v: Double) throws -> Double {
        guard v.isFinite else { throw NotANumber(description: "\(v) is not a JSON number") }
        return v
    }

    public mutating func member(_ name: String, _ v: Int64) {
        key(name)
        value(v)
    }
    public mutating func member(_ name: String, _ v: Bool) {
        key(name)
        value(v)
    }
    public mutating func member(_ name: String, _ v: String?) {
        guard let v else { return }
        key(name)
        value(v)
    }
    public mutating func member(_ name: String, _ v: Date?) throws {
        guard let v else { return }
        key(name)
        try value(v)
    }
    public mutating func member(_ name: String, _ v: Double?) throws {
        guard let v else { return }
        key(name)
        try value(v)
    }

    /// A comma, unless the value or member about to be written is its container's first.
    private mutating func separate() {
        guard let last = bytes.last, last != UInt8(ascii: "{"), last != UInt8(ascii: "[") else { return }
        bytes.append(UInt8(ascii: ","))
    }
}
