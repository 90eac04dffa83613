import Foundation

/// The API's JSON conventions: snake_case keys (`store_id` ⇄ `storeID`), RFC 3339 UTC times.
public enum APIJSON {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            AnyKey(camelCase(path.last!.stringValue))
        }
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// `store_id` → `storeID`, `radius_m` → `radiusM`: the Swift name of a JSON key.
    static func camelCase(_ key: String) -> String {
        let parts = key.split(separator: "_", omittingEmptySubsequences: false)
        guard let first = parts.first else { return key }
        return String(first)
            + parts.dropFirst().map { $0 == "id" ? "ID" : $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// `storeID` → `store_id`: the JSON name of a Swift property, for error messages.
    static func snakeCase(_ name: String) -> String {
        var out = ""
        var previousWasUpper = false
        for c in name {
            if c.isUppercase {
                if !out.isEmpty && !previousWasUpper { out.append("_") }
                out.append(Character(c.lowercased()))
                previousWasUpper = true
            } else {
                out.append(c)
                previousWasUpper = false
            }
        }
        return out
    }

    /// The JSON path of a decoding error, as `geofence.radius_m` or `items[2].tid`.
    static func fieldPath(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += (out.isEmpty ? "" : ".") + snakeCase(key.stringValue)
            }
        }
        return out
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
