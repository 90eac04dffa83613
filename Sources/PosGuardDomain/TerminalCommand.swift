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
