import Foundation
import PosGuardDomain

/// Writes an `Encodable` value straight to JSON text as its `encode(to:)` runs, with dates as milliseconds
/// since 1970 — what `JSONEncoder` with `.millisecondsSince1970` writes, and `JSONDecoder` reads back —
/// without building a tree of the value first. Detection saves every terminal's memory with each batch,
/// and Foundation's encoder was a tenth of the server's time under a fleet's load.
///
/// Containers are written as they are asked for: a container still open when its parent writes again (or
/// when the value that opened it is done) is closed then, so a nested container is finished before its
/// parent's next key, as synthesized `Encodable` code does.
struct CompactJSONEncoder {
    func encode(_ value: some Encodable) throws -> String {
        let writer = Writer()
        try writer.value(value)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

/// The text written so far, as UTF-8, and the containers open, innermost last.
private final class Writer: Encoder {
    var bytes: [UInt8] = []
    /// For each open container: whether it is an object, and whether it holds a member yet.
    var open: [(object: Bool, filled: Bool)] = []
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Writes a whole value at the current position, closing what it opened. Scalars are told apart by their
    /// type's identity, not by casting (a cast to a protocol costs a lookup per value).
    func value<T: Encodable>(_ value: T) throws {
        if T.self == Date.self {
            number(try JSONWriter.finite(unsafeBitCast(value, to: Date.self).timeIntervalSince1970 * 1000))
        } else if T.self == String.self {
            string(unsafeBitCast(value, to: String.self))
        } else if T.self == Bool.self {
            bool(unsafeBitCast(value, to: Bool.self))
        } else if T.self == Double.self {
            number(try JSONWriter.finite(unsafeBitCast(value, to: Double.self)))
        } else if T.self == Int64.self {
            integer(unsafeBitCast(value, to: Int64.self))
        } else if T.self == Int.self {
            integer(unsafeBitCast(value, to: Int.self))
        } else {
            let depth = open.count
            let start = bytes.count
            try value.encode(to: self)
            close(to: depth)
            if bytes.count == start { put("{}") }
        }
    }

    /// Closes the containers opened below `depth`.
    func close(to depth: Int) {
        while open.count > depth { put(open.removeLast().object ? "}" : "]") }
    }

    /// Makes room for a member of the container at `depth` (closing any nested one still open).
    func member(at depth: Int) {
        close(to: depth + 1)
        if open[depth].filled { put(",") }
        open[depth].filled = true
    }

    func begin(object: Bool) -> Int {
        put(object ? "{" : "[")
        open.append((object, false))
        return open.count - 1
    }

    func put(_ text: String) { bytes.append(contentsOf: text.utf8) }

    func string(_ s: String) { JSONValue.write(string: s, to: &bytes) }

    func number(_ d: Double) { JSONValue.write(number: d, to: &bytes) }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Keyed<Key>(writer: self, depth: begin(object: true)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { Unkeyed(writer: self, depth: begin(object: false)) }

    func singleValueContainer() -> any SingleValueEncodingContainer { Single(writer: self) }

    func bool(_ b: Bool) { put(b ? "true" : "false") }

    /// Any other number, through its text.
    func integer(_ i: some BinaryInteger) { put(String(i)) }
}

private struct Keyed<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: Writer
    let depth: Int
    var codingPath: [any CodingKey] { [] }

    private func key(_ key: Key) {
        writer.member(at: depth)
        writer.string(key.stringValue)
        writer.put(":")
    }

    mutating func encodeNil(forKey key: Key) throws {
        self.key(key)
        writer.put("null")
    }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        self.key(key)
        try writer.value(value)
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        self.key(key)
        writer.bool(value)
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        self.key(key)
        writer.string(value)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        self.key(key)
        writer.number(try JSONWriter.finite(value))
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        self.key(key)
        writer.number(try JSONWriter.finite(Double(value)))
    }
    mutating func encode(_ value: Int, forKey key: Key) throws {
        self.key(key)
        writer.integer(value)
    }
    mutating func encode(_ value: Int64, forKey key: Key) throws {
        self.key(key)
        writer.integer(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key)
        -> KeyedEncodingContainer<NestedKey>
    {
        self.key(key)
        return writer.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        self.key(key)
        return writer.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { writer }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        self.key(key)
        return writer
    }
}

private struct Unkeyed: UnkeyedEncodingContainer {
    let writer: Writer
    let depth: Int
    var count = 0
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws {
        writer.member(at: depth)
        writer.put("null")
        count += 1
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        writer.member(at: depth)
        try writer.value(value)
        count += 1
    }
    mutating func encode(_ value: Double) throws {
        writer.member(at: depth)
        writer.number(try JSONWriter.finite(value))
        count += 1
    }
    mutating func encode(_ value: Int64) throws {
        writer.member(at: depth)
        writer.integer(value)
        count += 1
    }
    mutating func encode(_ value: String) throws {
        writer.member(at: depth)
        writer.string(value)
        count += 1
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type)
        -> KeyedEncodingContainer<NestedKey>
    {
        writer.member(at: depth)
        count += 1
        return writer.container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        writer.member(at: depth)
        count += 1
        return writer.unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        writer.member(at: depth)
        count += 1
        return writer
    }
}

private struct Single: SingleValueEncodingContainer {
    let writer: Writer
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { writer.put("null") }
    mutating func encode<T: Encodable>(_ value: T) throws { try writer.value(value) }
    mutating func encode(_ value: Bool) throws { writer.bool(value) }
    mutating func encode(_ value: String) throws { writer.string(value) }
    mutating func encode(_ value: Double) throws { writer.number(try JSONWriter.finite(value)) }
    mutating func encode(_ value: Float) throws { writer.number(try JSONWriter.finite(Double(value))) }
    // The standard library's scalars encode themselves through these; each must write, not recurse.
    mutating func encode(_ value: Int) throws { writer.integer(value) }
    mutating func encode(_ value: Int8) throws { writer.integer(value) }
    mutating func encode(_ value: Int16) throws { writer.integer(value) }
    mutating func encode(_ value: Int32) throws { writer.integer(value) }
    mutating func encode(_ value: Int64) throws { writer.integer(value) }
    mutating func encode(_ value: UInt) throws { writer.integer(value) }
    mutating func encode(_ value: UInt8) throws { writer.integer(value) }
    mutating func encode(_ value: UInt16) throws { writer.integer(value) }
    mutating func encode(_ value: UInt32) throws { writer.integer(value) }
    mutating func encode(_ value: UInt64) throws { writer.integer(value) }
}
