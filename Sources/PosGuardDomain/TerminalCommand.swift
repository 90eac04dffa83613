import Foundation

/// An instruction queued for a terminal, delivered with the answer to its next signed request.
public struct TerminalCommand: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case lock, unlock, locate
        case displayMessage = "display_message"
        case wipeKeys = "wipe_keys"
        case reboot
    }

    public enum Status: String, Sendable, Codable, CaseIterable {
        case queued, delivered, done, failed, expired
    }

    public var id: UUID
    public var terminalID: UUID
    public var type: Kind
    /// Type-specific fields, e.g. the lost-mode message of a lock.
    public var payload: [String: String]
    public var status: Status
    public var createdAt: Date
    public var createdBy: String
    public var reason: String
    /// Not delivered or acknowledged by then, the command expires.
    public var expiresAt: Date
    /// The last time it went out to the terminal, and how many times it has.
    public var deliveredAt: Date?
    public var deliveries: Int
    public var acknowledgedAt: Date?
    /// What the terminal reported with its acknowledgement.
    public var detail: String?

    /// How long a command waits for its terminal, and how long a delivery waits for an acknowledgement
    /// before the command goes out again.
    public static let lifetime: TimeInterval = 7 * 24 * 3600
    public static let redeliverAfter: TimeInterval = 120

    public init(
        id: UUID, terminalID: UUID, type: Kind, payload: [String: String], status: Status, createdAt: Date,
        createdBy: String, reason: String
    ) {
        self.id = id
        self.terminalID = terminalID
        self.type = type
        self.payload = payload
        self.status = status
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.reason = reason
        expiresAt = createdAt.addingTimeInterval(Self.lifetime)
        deliveries = 0
    }

    /// Whether the command should go out in the answer to a terminal's request at `now`.
    public func isDue(at now: Date) -> Bool {
        guard now < expiresAt else { return false }
        switch status {
        case .queued: return true
        case .delivered: return deliveredAt.map { now.timeIntervalSince($0) >= Self.redeliverAfter } ?? true
        case .done, .failed, .expired: return false
        }
    }

    /// Checks a command request's fields for its type; returns the payload to send.
    public static func payload(
        for kind: Kind, message: String?, contactPhone: String?, contactEmail: String?
    ) throws(ValidationFailure) -> [String: String] {
        var v = Validator()
        var payload: [String: String] = [:]
        switch kind {
        case .lock, .displayMessage:
            if let text = v.text(message, "message", max: 350, multiline: true) { payload["message"] = text }
            if let phone = v.text(contactPhone, "contact_phone", max: 32, required: false), !phone.isEmpty {
                payload["contact_phone"] = phone
            }
            if let email = contactEmail, !email.isEmpty {
                v.check(EmailAddress.isValid(email), "contact_email", "must be an email address")
                payload["contact_email"] = email
            }
        case .unlock, .locate, .wipeKeys, .reboot:
            for (field, value) in [
                ("message", message), ("contact_phone", contactPhone), ("contact_email", contactEmail),
            ]
            where value != nil {
                v.add(FieldError(field, "is only for lock and display_message"))
            }
        }
        if !v.errors.isEmpty { throw ValidationFailure(v.errors) }
        return payload
    }
}

/// A person allowed to sign in on a store's terminals, by the operator id the terminal reports.
public struct StoreOperator: Sendable, Equatable, Codable {
    public var storeID: UUID
    public var operatorID: String
    public var name: String
    public var addedAt: Date

    public init(storeID: UUID, operatorID: String, name: String, addedAt: Date) {
        self.storeID = storeID
        self.operatorID = operatorID
        self.name = name
        self.addedAt = addedAt
    }
}
