import Foundation
import Hummingbird
import PosGuardDomain

/// A submitted HTML form (`application/x-www-form-urlencoded`), read with a size limit.
struct ConsoleForm: Sendable {
    private(set) var fields: [String: String] = [:]

    static let limit = 64 * 1024

    init(fields: [String: String]) { self.fields = fields }

    init(_ request: inout Request) async throws {
        self.init(encoded: try await request.text(limit: Self.limit))
    }

    init(encoded text: String) {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            guard let name = parts.first.map(decode), !name.isEmpty else { continue }
            fields[name] = parts.count > 1 ? decode(parts[1]) : ""
        }
    }

    /// The field's value, trimmed; nil when missing or blank.
    subscript(_ name: String) -> String? {
        guard let value = fields[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// Whether a checkbox was ticked.
    func ticked(_ name: String) -> Bool { fields[name] != nil }
}

extension ConsoleForm {
    /// Refuses a destructive action whose confirmation was not ticked.
    func confirmed() throws {
        guard ticked("confirm") else {
            throw ValidationFailure([FieldError("confirm", "must be ticked for this action")])
        }
    }
}

extension ConsoleForm {
    /// The fields named by `keys` as the JSON body the API takes for the same change, to be read by the API's own
    /// strict decoding (so both refuse the same input the same way): `a.b` nests `b` in `a`, `numbers` become
    /// numbers, `booleans` true or false, `lists` are split at commas; a blank field is left out.
    func json(_ keys: [String], numbers: Set<String> = [], booleans: Set<String> = [], lists: Set<String> = [])
        throws -> Data
    {
        var object: [String: Any] = [:]
        for key in keys {
            guard let text = self[key] else { continue }
            let value: Any
            if numbers.contains(key) {
                value = Double(text).map { $0 == $0.rounded() && abs($0) < 1e15 ? Int64($0) as Any : $0 as Any } ?? text
            } else if booleans.contains(key) {
                value = text == "true" ? true : text == "false" ? false : text as Any
            } else if lists.contains(key) {
                value = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            } else {
                value = text
            }
            let path = key.split(separator: ".").map(String.init)
            if path.count == 2 {
                var inner = object[path[0]] as? [String: Any] ?? [:]
                inner[path[1]] = value
                object[path[0]] = inner
            } else {
                object[key] = value
            }
        }
        return try JSONSerialization.data(withJSONObject: object)
    }
}
