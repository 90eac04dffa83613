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
