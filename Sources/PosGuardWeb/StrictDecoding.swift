import Foundation
import PosGuardDomain

/// Decodes API request bodies with the API's JSON conventions, refusing what a plain `JSONDecoder` lets
/// through: keys the type does not know (a typo in a PATCH must not silently change nothing), text holding
/// control or invisible format characters, and card data in any field but the ones named to carry a card
/// number (the screening request's `pan`, masked as soon as it is read).
///
/// It wraps the decoder a type is decoded from and records, for every JSON object, which keys the type
/// asked for; whatever else the object held is unknown. Free-form values (`JSONValue`, string-keyed
/// dictionaries) and values with their own decoding strategy (dates) are passed through unchecked.
enum StrictDecoding {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, cardFields: Set<String> = []) throws -> T {
        let log = DecodingLog(cardFields: cardFields)
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = APIJSON.decoder.dateDecodingStrategy
        decoder.keyDecodingStrategy = .custom { path in
            let original = path.last!.stringValue
            let key = JSONKeys.camelCase(original)
            log.sent[key] = original
            return JSONKeys.Key(key)
        }
        decoder.userInfo[DecodingLog.key] = log
        let value = try decoder.decode(Root<T>.self, from: data).value
        let unknown = log.unknownFields()
        if !unknown.isEmpty {
            throw ValidationFailure(
                unknown.map {
                    CardDataScan.containsCardData($0)
                        ? FieldError("body", "holds card data in a field name: PosGuard never accepts card numbers")
                        : FieldError($0, "is not a field of this request")
                })
        }
        return value
    }

    /// The entry point inside `JSONDecoder`: swaps in the recording decoder.
    struct Root<T: Decodable>: Decodable {
        var value: T
        init(from decoder: any Decoder) throws {
            let log = decoder.userInfo[DecodingLog.key] as! DecodingLog
            value = try T(from: Recording(base: decoder, log: log))
        }
    }
}

/// What one decoding saw: the keys present in each object and the keys the type asked for. Used by one
/// decode call on one thread, never shared.
final class DecodingLog: @unchecked Sendable {
    static let key = CodingUserInfoKey(rawValue: "posguard.decodingLog")!

    private var present: [String: (path: [any CodingKey], keys: Set<String>)] = [:]
    private var asked: [String: Set<String>] = [:]
    /// The JSON key as sent, by its Swift name, for messages.
    var sent: [String: String] = [:]
    /// The fields (JSON paths) that may carry a card number.
    let cardFields: Set<String>

    init(cardFields: Set<String>) { self.cardFields = cardFields }

    func saw(_ path: [any CodingKey], keys: [String]) {
        present[Self.id(path), default: (path, [])].keys.formUnion(keys)
    }

    func asked(_ path: [any CodingKey], for key: String) {
        asked[Self.id(path), default: []].insert(key)
    }

    func unknownFields() -> [String] {
        present.flatMap { id, object in
            object.keys.subtracting(asked[id] ?? []).map { key in
                let prefix = APIJSON.fieldPath(object.path)
                return (prefix.isEmpty ? "" : prefix + ".") + (sent[key] ?? key)
            }
        }.sorted()
    }

    static func id(_ path: [any CodingKey]) -> String {
        path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }

    /// Refuses a string that is not plain text, or that holds card data outside a card field, naming its
    /// field (never repeating the digits).
    func check(_ text: String, at path: [any CodingKey]) throws -> String {
        let field = APIJSON.fieldPath(path)
        if let problem = PlainText.problem(in: text, multiline: true) {
            throw ValidationFailure([FieldError(field, problem)])
        }
        try checkCardData(text, field: field)
        return text
    }

    /// Refuses a number that reads as a card number.
    func check<N: BinaryInteger>(_ number: N, at path: [any CodingKey]) throws -> N {
        try checkCardData(String(number), field: APIJSON.fieldPath(path))
        return number
    }

    private func checkCardData(_ text: String, field: String) throws {
        if !cardFields.contains(field)
            && CardDataScan.containsCardData(text, iccidField: CardDataScan.isICCIDField(field))
        {
            throw ValidationFailure([FieldError(field, CardDataScan.refusal)])
        }
    }

    /// Decodes a value; when its type is one of a few named values (an enumeration of strings) and the text
    /// sent is none of them, the refusal lists them, whatever the type.
    static func choosing<T>(_ type: T.Type, at path: [any CodingKey], _ decode: () throws -> T) throws -> T {
        guard let cases = type as? any CaseIterable.Type else { return try decode() }
        do {
            return try decode()
        } catch let error as DecodingError {
            guard case .dataCorrupted = error else { throw error }
            let all: any Collection = cases.allCases
            let names = all.compactMap { ($0 as? any RawRepresentable<String>)?.rawValue }
            guard !names.isEmpty else { throw error }
            throw ValidationFailure([
                FieldError(APIJSON.fieldPath(path), "must be one of: " + names.joined(separator: ", "))
            ])
        }
    }

    /// Types decoded by the underlying decoder as they are: free-form content, and values that have a
    /// decoding strategy of their own.
    static func passesThrough(_ type: Any.Type) -> Bool {
        type == Date.self || type == Data.self || type == JSONValue.self || type is any StringKeyed.Type
    }
}

/// Dictionaries with string keys hold free-form keys: none of them is unknown.
protocol StringKeyed {}
extension Dictionary: StringKeyed where Key == String {}

/// A decoder that records what is asked of it, around the real one.
struct Recording: Decoder {
    let base: any Decoder
    let log: DecodingLog

    var codingPath: [any CodingKey] { base.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { base.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let every = try base.container(keyedBy: JSONKeys.Key.self)
        log.saw(codingPath, keys: every.allKeys.map(\.stringValue))
        return KeyedDecodingContainer(RecordingKeyed(base: try base.container(keyedBy: type), log: log))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        RecordingUnkeyed(base: try base.unkeyedContainer(), log: log)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        RecordingSingle(decoder: self, base: try base.singleValueContainer())
    }
}

struct RecordingKeyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let base: KeyedDecodingContainer<Key>
    let log: DecodingLog

    var codingPath: [any CodingKey] { base.codingPath }
    var allKeys: [Key] { base.allKeys }

    func contains(_ key: Key) -> Bool {
        log.asked(codingPath, for: key.stringValue)
        return base.contains(key)
    }

    /// An optional field sent as `null` is refused rather than read as absent: the client meant something
    /// by it (clearing the value, perhaps) and must learn that nothing of the kind happened.
    func decodeNil(forKey key: Key) throws -> Bool {
        log.asked(codingPath, for: key.stringValue)
        guard try base.decodeNil(forKey: key) else { return false }
        throw ValidationFailure([
            FieldError(APIJSON.fieldPath(codingPath + [key]), "must not be null: leave the field out instead")
        ])
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        log.asked(codingPath, for: key.stringValue)
        if type == String.self {
            return try log.check(try base.decode(String.self, forKey: key), at: codingPath + [key]) as! T
        }
        if DecodingLog.passesThrough(type) || !base.contains(key) { return try base.decode(type, forKey: key) }
        return try DecodingLog.choosing(type, at: codingPath + [key]) {
            try T(from: Recording(base: try base.superDecoder(forKey: key), log: log))
        }
    }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try primitive(type, key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try primitive(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try primitive(type, key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int {
        try log.check(try primitive(type, key), at: codingPath + [key])
    }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try primitive(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try primitive(type, key) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try primitive(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 {
        try log.check(try primitive(type, key), at: codingPath + [key])
    }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try primitive(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try primitive(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try primitive(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try primitive(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 {
        try log.check(try primitive(type, key), at: codingPath + [key])
    }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        log.asked(codingPath, for: key.stringValue)
        return try log.check(try base.decode(type, forKey: key), at: codingPath + [key])
    }

    private func primitive<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        log.asked(codingPath, for: key.stringValue)
        do {
            return try base.decode(type, forKey: key)
        } catch let error where !(error is DecodingError) {
            // Foundation throws an error of its own for a number that does not fit the field's type (a fraction
            // for an integer, a number beyond its range), reported in the end as JSON it cannot read, naming no
            // field: this names it.
            let expected =
                (type as? any FixedWidthInteger.Type).map { "must be a whole number from \($0.min) to \($0.max)" }
                ?? "must be a finite number"
            throw ValidationFailure([FieldError(APIJSON.fieldPath(codingPath + [key]), expected)])
        }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        log.asked(codingPath, for: key.stringValue)
        return try Recording(base: try base.superDecoder(forKey: key), log: log).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        log.asked(codingPath, for: key.stringValue)
        return RecordingUnkeyed(base: try base.nestedUnkeyedContainer(forKey: key), log: log)
    }

    func superDecoder() throws -> any Decoder { Recording(base: try base.superDecoder(), log: log) }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        log.asked(codingPath, for: key.stringValue)
        return Recording(base: try base.superDecoder(forKey: key), log: log)
    }
}

struct RecordingUnkeyed: UnkeyedDecodingContainer {
    var base: any UnkeyedDecodingContainer
    let log: DecodingLog

    var codingPath: [any CodingKey] { base.codingPath }
    var count: Int? { base.count }
    var isAtEnd: Bool { base.isAtEnd }
    var currentIndex: Int { base.currentIndex }

    mutating func decodeNil() throws -> Bool { try base.decodeNil() }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if type == String.self { return try decode(String.self) as! T }
        if DecodingLog.passesThrough(type) || isAtEnd { return try base.decode(type) }
        let path = codingPath + [JSONKeys.Key(index: currentIndex)]
        let decoder = Recording(base: try base.superDecoder(), log: log)
        return try DecodingLog.choosing(type, at: path) { try T(from: decoder) }
    }

    mutating func decode(_ type: String.Type) throws -> String {
        let path = codingPath + [JSONKeys.Key(index: currentIndex)]
        return try log.check(try base.decode(type), at: path)
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try base.decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try base.decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try base.decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try base.decode(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try base.decode(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try base.decode(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try base.decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try base.decode(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try base.decode(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try base.decode(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try base.decode(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try base.decode(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try base.decode(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try Recording(base: try base.superDecoder(), log: log).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        RecordingUnkeyed(base: try base.nestedUnkeyedContainer(), log: log)
    }

    mutating func superDecoder() throws -> any Decoder { Recording(base: try base.superDecoder(), log: log) }
}

struct RecordingSingle: SingleValueDecodingContainer {
    let decoder: Recording
    let base: any SingleValueDecodingContainer

    var codingPath: [any CodingKey] { base.codingPath }

    func decodeNil() -> Bool { base.decodeNil() }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if type == String.self { return try decode(String.self) as! T }
        if DecodingLog.passesThrough(type) { return try base.decode(type) }
        return try T(from: decoder)
    }

    func decode(_ type: String.Type) throws -> String {
        try decoder.log.check(try base.decode(type), at: codingPath)
    }

    func decode(_ type: Bool.Type) throws -> Bool { try base.decode(type) }
    func decode(_ type: Double.Type) throws -> Double { try base.decode(type) }
    func decode(_ type: Float.Type) throws -> Float { try base.decode(type) }
    func decode(_ type: Int.Type) throws -> Int { try base.decode(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try base.decode(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try base.decode(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try base.decode(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try base.decode(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try base.decode(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try base.decode(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try base.decode(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try base.decode(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try base.decode(type) }
}
