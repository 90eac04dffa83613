/// What a user is to PosGuard; it decides the reach of their scope and what they may change in it.
public enum Role: String, Codable, CaseIterable, Sendable {
    case providerAdmin = "provider_admin"
    case merchantAdmin = "merchant_admin"
    case storeManager = "store_manager"
    case storeOperator = "store_operator"
    case allianceAnalyst = "alliance_analyst"
    case policeLiaison = "police_liaison"

    /// The level of the organisation tree a user of this role is attached to.
    public enum Level: Sendable, Equatable { case provider, merchant, store }

    public var level: Level {
        switch self {
        case .providerAdmin, .allianceAnalyst, .policeLiaison: .provider
        case .merchantAdmin: .merchant
        case .storeManager, .storeOperator: .store
        }
    }

    /// Roles this role may create and edit users for (always inside its own scope).
    public var grantable: Set<Role> {
        switch self {
        case .providerAdmin: Set(Role.allCases)
        case .merchantAdmin: [.merchantAdmin, .storeManager, .storeOperator]
        case .storeManager: [.storeOperator]
        case .storeOperator, .allianceAnalyst, .policeLiaison: []
        }
    }

    /// Whether this role reads the organisation tree (merchants, stores, terminals) of its scope.
    public var readsOrganisation: Bool { self != .policeLiaison }
}
