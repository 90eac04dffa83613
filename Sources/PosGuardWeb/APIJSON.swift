import Foundation
import PosGuardDomain

/// The API's JSON conventions: snake_case keys (`store_id` ⇄ `storeID`), RFC 3339 UTC times.
public enum APIJSON {
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = JSONKeys.encoding
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = JSONKeys.decoding
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// The JSON path of a decoding error, as `geofence.radius_m` or `items[2].tid`.
    static func fieldPath(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += (out.isEmpty ? "" : ".") + JSONKeys.snakeCase(key.stringValue)
            }
        }
        return out
    }
}
