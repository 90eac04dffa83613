import Foundation

/// One problem with one field of a request, named as the client sent it.
public struct FieldError: Error, Equatable, Sendable, Codable {
    public var field: String
    public var message: String

    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}

/// A request that failed validation, with every problem found (not just the first).
public struct ValidationFailure: Error, Equatable, Sendable {
    public var errors: [FieldError]

    public init(_ errors: [FieldError]) { self.errors = errors }
}

/// Collects field errors while a value is checked, then throws them together.
public struct Validator: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    public mutating func check(_ condition: Bool, _ field: String, _ message: String) {
        if !condition { errors.append(FieldError(field, message)) }
    }

    public mutating func add(_ error: FieldError) { errors.append(error) }

    /// Checks a required text field: trimmed, non-empty, at most `max` characters, plain text (see
    /// `PlainText`) on one line unless `multiline`, without card data (see `CardDataScan`; SIM numbers pass in
    /// an ICCID field). The length counts Unicode code points of the text as sent, as the OpenAPI document's
    /// `maxLength` does. Every service checks its texts here, however they came (a JSON body, a route's
    /// segment, a query parameter, a console form, a command line).
    @discardableResult
    public mutating func text(
        _ value: String?, _ field: String, max: Int, required: Bool = true, multiline: Bool = false
    ) -> String? {
        guard let value else {
            if required { errors.append(FieldError(field, "is required")) }
            return nil
        }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            if required { errors.append(FieldError(field, "must not be empty")) }
            return required ? nil : trimmed
        }
        if value.unicodeScalars.count > max { errors.append(FieldError(field, "must be at most \(max) characters")) }
        if let problem = PlainText.problem(in: trimmed, multiline: multiline) {
            errors.append(FieldError(field, problem))
        }
        if CardDataScan.containsCardData(trimmed, iccidField: CardDataScan.isICCIDField(field)) {
            errors.append(FieldError(field, CardDataScan.refusal))
        }
        return trimmed
    }

    public func finish() throws {
        if !errors.isEmpty { throw ValidationFailure(errors) }
    }
}
