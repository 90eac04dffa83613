import Foundation

/// A person who signs in to PosGuard, attached to one place of the organisation tree.
public struct User: Sendable, Equatable, Codable {
    public var id: UUID
    public var providerID: UUID
    public var merchantID: UUID?
    public var storeID: UUID?
    public var email: String
    public var name: String
    public var role: Role
    /// `en` or `zh-Hans`: the language of the console and of messages sent to this user.
    public var locale: Locale
    public var disabled: Bool
    public var totpEnabled: Bool
    public var createdAt: Date

    public enum Locale: String, Codable, CaseIterable, Sendable {
        case en
        case zhHans = "zh-Hans"
    }

    public init(
        id: UUID, providerID: UUID, merchantID: UUID?, storeID: UUID?, email: String, name: String, role: Role,
        locale: Locale, disabled: Bool, totpEnabled: Bool, createdAt: Date
    ) {
        self.id = id
        self.providerID = providerID
        self.merchantID = merchantID
        self.storeID = storeID
        self.email = email
        self.name = name
        self.role = role
        self.locale = locale
        self.disabled = disabled
        self.totpEnabled = totpEnabled
        self.createdAt = createdAt
    }

    /// The part of the tree this user sees.
    public var scope: Scope { Scope.of(role: role, provider: providerID, merchant: merchantID, store: storeID) }

    /// Whether the user's attachment matches their role: a store role needs a store, and so on.
    public func validatePlacement() throws(ValidationFailure) {
        var v = Validator()
        switch role.level {
        case .provider:
            v.check(
                merchantID == nil && storeID == nil, "role",
                "\(role.rawValue) is attached to the provider, not a merchant or store")
        case .merchant:
            v.check(merchantID != nil, "merchant_id", "is required for \(role.rawValue)")
            v.check(storeID == nil, "store_id", "must be empty for \(role.rawValue)")
        case .store:
            v.check(storeID != nil, "store_id", "is required for \(role.rawValue)")
        }
        v.text(name, "name", max: 200)
        v.check(EmailAddress.isValid(email), "email", "must be an email address")
        if !v.errors.isEmpty { throw ValidationFailure(v.errors) }
    }
}
