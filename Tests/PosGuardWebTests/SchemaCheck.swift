import Foundation

/// Checks a JSON value against a schema of the OpenAPI document — the subset of JSON Schema the document
/// uses (`$ref`, `type` with `null`, `properties`, `required`, `additionalProperties`, `items`, `enum`,
/// `oneOf`, `allOf`, `format` `uuid`/`date-time`, `pattern`, lengths and bounds) — and lists every place
/// where the value breaks it, as `$.items[0].state: not one of …`.
struct SchemaCheck {
    let components: [String: Any]

    init(document: [String: Any]) {
        components = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
    }

    func problems(_ value: Any, _ schema: [String: Any], at path: String = "$") -> [String] {
        if let ref = schema["$ref"] as? String {
            guard let target = components[String(ref.split(separator: "/").last ?? "")] as? [String: Any] else {
                return ["\(path): unknown \(ref)"]
            }
            return problems(value, target, at: path)
        }
        if let all = schema["allOf"] as? [[String: Any]] { return problems(value, merged(all), at: path) }
        if let one = schema["oneOf"] as? [[String: Any]] {
            let matching = one.filter { problems(value, $0, at: path).isEmpty }.count
            return matching == 1 ? [] : ["\(path): matches \(matching) of oneOf's \(one.count) schemas"]
        }
        let types = (schema["type"] as? [String]) ?? (schema["type"] as? String).map { [$0] } ?? []
        if value is NSNull {
            return types.isEmpty || types.contains("null") ? [] : ["\(path): null where \(types) is documented"]
        }
        if !types.isEmpty, !types.contains(where: { Self.isOf($0, value) }) {
            return ["\(path): \(Swift.type(of: value)) where \(types) is documented"]
        }
        var found: [String] = []
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { "\($0)" == "\(value)" }) {
            found.append("\(path): \(value) is not one of \(allowed)")
        }
        if let text = value as? String { found += stringProblems(text, schema, at: path) }
        if let number = value as? NSNumber, !Self.isBool(number) {
            if let minimum = schema["minimum"] as? Double, number.doubleValue < minimum {
                found.append("\(path): \(number) is below \(minimum)")
            }
            if let maximum = schema["maximum"] as? Double, number.doubleValue > maximum {
                found.append("\(path): \(number) is above \(maximum)")
            }
        }
        if let items = value as? [Any], let itemSchema = schema["items"] as? [String: Any] {
            for (i, item) in items.enumerated() { found += problems(item, itemSchema, at: "\(path)[\(i)]") }
        }
        if let object = value as? [String: Any] { found += objectProblems(object, schema, at: path) }
        return found
    }

    /// The parts of an `allOf` as one object schema: every part's properties, every part's required keys.
    private func merged(_ parts: [[String: Any]]) -> [String: Any] {
        var properties: [String: Any] = [:]
        var required: [String] = []
        for part in parts {
            var part = part
            if let ref = part["$ref"] as? String {
                part = components[String(ref.split(separator: "/").last ?? "")] as? [String: Any] ?? [:]
            }
            properties.merge(part["properties"] as? [String: Any] ?? [:]) { first, _ in first }
            required += part["required"] as? [String] ?? []
        }
        return ["type": "object", "properties": properties, "required": required]
    }

    private func objectProblems(_ object: [String: Any], _ schema: [String: Any], at path: String) -> [String] {
        let properties = schema["properties"] as? [String: [String: Any]] ?? [:]
        var found = (schema["required"] as? [String] ?? []).filter { object[$0] == nil }.map {
            "\(path).\($0): required but absent"
        }
        for (key, value) in object {
            if let property = properties[key] {
                found += problems(value, property, at: "\(path).\(key)")
            } else if let extra = schema["additionalProperties"] as? [String: Any] {
                found += problems(value, extra, at: "\(path).\(key)")
            } else if schema["additionalProperties"] as? Bool == false || !properties.isEmpty {
                found.append("\(path).\(key): not documented")
            }
        }
        return found
    }

    private func stringProblems(_ text: String, _ schema: [String: Any], at path: String) -> [String] {
        var found: [String] = []
        switch schema["format"] as? String {
        case "uuid" where UUID(uuidString: text) == nil: found.append("\(path): \(text) is not a UUID")
        case "date-time" where text.range(of: Self.rfc3339, options: .regularExpression) == nil:
            found.append("\(path): \(text) is not an RFC 3339 time")
        default: break
        }
        if let pattern = schema["pattern"] as? String, text.range(of: pattern, options: .regularExpression) == nil {
            found.append("\(path): \(text) does not match \(pattern)")
        }
        if let max = schema["maxLength"] as? Int, text.count > max { found.append("\(path): longer than \(max)") }
        if let min = schema["minLength"] as? Int, text.count < min { found.append("\(path): shorter than \(min)") }
        return found
    }

    static let rfc3339 = #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"#

    static func isOf(_ type: String, _ value: Any) -> Bool {
        switch type {
        case "string": value is String
        case "boolean": (value as? NSNumber).map(isBool) ?? false
        case "integer": (value as? NSNumber).map { !isBool($0) && $0.doubleValue.rounded() == $0.doubleValue } ?? false
        case "number": (value as? NSNumber).map { !isBool($0) } ?? false
        case "array": value is [Any]
        case "object": value is [String: Any]
        default: false
        }
    }

    static func isBool(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }
}
