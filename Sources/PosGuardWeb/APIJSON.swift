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

    /// RFC 3339 exactly, as the OpenAPI document's `date-time` says: Foundation's ISO 8601 reading would let
    /// `12:99:00` through as the next hour, and refuses fractions of a second.
    static let dateDecoding = JSONDecoder.DateDecodingStrategy.custom { decoder in
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = RFC3339.parseRecent(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "must be an RFC 3339 date-time, 1970 or later"))
        }
        return date
    }

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = JSONKeys.decoding
        decoder.dateDecodingStrategy = dateDecoding
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
