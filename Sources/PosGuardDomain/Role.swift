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

    public var managesMerchants: Bool { self == .providerAdmin }
    public var managesStores: Bool { self == .providerAdmin || self == .merchantAdmin }
    public var managesTerminals: Bool { self == .providerAdmin || self == .merchantAdmin }
    public var managesUsers: Bool { !grantable.isEmpty }

    /// Whether a user of this role may move a terminal to `state`. Admins may make any lawful move;
    /// store staff handle day-to-day care and can always raise the alarm.
    public func mayMoveTerminal(to state: TerminalState) -> Bool {
        switch self {
        case .providerAdmin, .merchantAdmin: true
        case .storeManager: [.active, .maintenance, .suspectedStolen].contains(state)
        case .storeOperator: state == .suspectedStolen
        case .allianceAnalyst, .policeLiaison: false
        }
    }

    /// Which remote commands a user of this role may send to a terminal in their scope.
    public func maySend(_ command: TerminalCommand.Kind) -> Bool {
        switch self {
        case .providerAdmin, .merchantAdmin: true
        case .storeManager: [.lock, .locate, .displayMessage].contains(command)
        case .storeOperator, .allianceAnalyst, .policeLiaison: false
        }
    }

    /// Lock, unlock and key wiping by admins need a recent TOTP verification, like destructive moves.
    public func needsRecentMFA(toSend command: TerminalCommand.Kind) -> Bool {
        (self == .providerAdmin || self == .merchantAdmin) && [.lock, .unlock, .wipeKeys].contains(command)
    }

    /// Destructive actions by admins need a recent TOTP verification: a stolen password alone must not
    /// be enough to lock or retire a fleet.
    public func needsRecentMFA(toMoveTerminalTo state: TerminalState) -> Bool {
        guard self == .providerAdmin || self == .merchantAdmin else { return false }
        return state == .locked || state == .retired
    }
}
