import Foundation

/// How PosGuard names JSON keys wherever it writes JSON — the API, stored settings, audit snapshots:
/// snake_case of the Swift property, and back. One pair of functions, so that whatever is written can be
/// read again (Foundation's own conversion turns `allowedICCIDs` into `allowed_icci_ds`, which reads back as
/// `allowedIcciDs`, and the value is lost).
public enum JSONKeys {
    /// `storeID` → `store_id`, `allowedICCIDs` → `allowed_iccids`: the JSON name of a Swift property.
    public static func snakeCase(_ name: String) -> String {
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

    /// `store_id` → `storeID`, `radius_m` → `radiusM`, `allowed_iccids` → `allowedICCIDs`: the Swift name
    /// of a JSON key.
    public static func camelCase(_ key: String) -> String {
        let parts = key.split(separator: "_", omittingEmptySubsequences: false)
        guard let first = parts.first else { return key }
        return String(first)
            + parts.dropFirst().map { acronyms[String($0)] ?? $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// Words that Swift names spell in capitals.
    static let acronyms = ["id": "ID", "ids": "IDs", "iccid": "ICCID", "iccids": "ICCIDs"]

    /// The strategies for Foundation's coders.
    public static let encoding = JSONEncoder.KeyEncodingStrategy.custom { path in
        Key(snakeCase(path.last!.stringValue))
    }
    public static let decoding = JSONDecoder.KeyDecodingStrategy.custom { path in
        Key(camelCase(path.last!.stringValue))
    }

    /// A coding key of any name or index.
    public struct Key: CodingKey {
        public var stringValue: String
        public var intValue: Int?
        public init(_ string: String) { stringValue = string }
        public init(index: Int) {
            stringValue = String(index)
            intValue = index
        }
        public init?(stringValue: String) { self.stringValue = stringValue }
        public init?(intValue: Int) { nil }
    }
}
