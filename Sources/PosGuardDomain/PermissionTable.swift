/// What a person may do in PosGuard beyond reading their own part of the tree: the rows of the permission
/// table (`Role.permission(for:)`). Every answer holds inside the caller's scope only: a target outside it is
/// not found (404), exactly like one that does not exist, never forbidden, so a refusal tells nothing about
/// another tenant's tree. Services look the target up in the caller's scope first, then ask the table.
public enum Action: Sendable, Equatable {
    /// Moving a terminal through its lifecycle, sending it a command, issuing an unlock code: decided by what
    /// the action does to the terminal's service (`TerminalAction.Effect`).
    case terminal(TerminalAction)
    case registerTerminal
    case importTerminals
    case editTerminal
    case issueEnrollmentCode
    case createMerchant
    case editMerchant
    case openStore
    case editStore
    /// Adding and removing the operators allowed to sign in on a store's terminals.
    case keepRoster
    /// Setting detection's threshold overrides for a merchant, a store or a terminal.
    case tuneDetection
    /// Acknowledging and resolving alerts.
    case workAlerts
    /// Subscribing, listing, testing and deleting webhooks, and reading their deliveries.
    case manageWebhooks
    case readAudit
    /// Reading the audit log's proofs — inclusion, consistency, a full check — which show what it holds and that
    /// nothing in it was changed. Provider admins for now; police liaison gets it with access to incidents.
    case proveAudit
    case listUsers
    /// Creating a user of this role.
    case createUser(Role)
    /// Editing, disabling and resetting the password of a user of this role, and giving a user this role.
    case editUser(Role)
    /// Asking the screening gateway about a payment over HTTP.
    case screenPayments
    /// Open incidents, work their tasks and notes, close them.
    case respondToIncidents
    /// Grant and revoke a police liaison officer's access to one incident.
    case grantIncidentAccess
    /// Edit the provider's response plans.
    case editIncidentTemplates
    /// Delete an evidence file whose retention period is over (its record and custody stay).
    case deleteEvidence

    /// What a user would call it, for messages.
    public var description: String {
        switch self {
        case .terminal(let action): action.description
        case .registerTerminal: "register terminals"
        case .importTerminals: "import terminals"
        case .editTerminal: "edit terminals"
        case .issueEnrollmentCode: "issue enrollment codes"
        case .createMerchant: "create merchants"
        case .editMerchant: "edit merchants"
        case .openStore: "open stores"
        case .editStore: "edit stores"
        case .keepRoster: "keep a store's roster"
        case .tuneDetection: "tune detection"
        case .workAlerts: "work alerts"
        case .manageWebhooks: "subscribe webhooks"
        case .readAudit: "read the audit log"
        case .proveAudit: "check the audit log's proofs"
        case .listUsers: "manage users"
        case .createUser(let role): "create a \(role.rawValue)"
        case .editUser(let role): "edit a \(role.rawValue)"
        case .screenPayments: "screen payments"
        case .respondToIncidents: "respond to incidents"
        case .grantIncidentAccess: "grant the police access to incidents"
        case .editIncidentTemplates: "edit response plans"
        case .deleteEvidence: "delete evidence after its retention period"
        }
    }

    /// The answer a user of `role` gets when the table denies them the action.
    public func refusal(for role: Role) -> String {
        switch self {
        case .terminal, .createUser, .editUser: "a \(role.rawValue) may not \(description)"
        case .registerTerminal, .importTerminals, .editTerminal, .editMerchant, .openStore, .editStore,
            .tuneDetection, .manageWebhooks, .grantIncidentAccess:
            "only provider and merchant admins \(description)"
        case .createMerchant, .readAudit, .proveAudit, .editIncidentTemplates, .deleteEvidence:
            "only provider admins \(description)"
        case .issueEnrollmentCode, .workAlerts, .respondToIncidents: "only admins and store managers \(description)"
        case .keepRoster: "only admins and the store's manager keep its roster"
        case .listUsers, .screenPayments: "your role does not \(description)"
        }
    }
}

extension Role {
    /// The permission table: whether a user of this role may take the action inside their scope, and whether
    /// it needs a TOTP code proved in the last 15 minutes.
    public func permission(for action: Action) -> Permission {
        let admin = self == .providerAdmin || self == .merchantAdmin
        let allowed: Bool
        switch action {
        case .terminal(let action):
            switch action.effect {
            case .routine:
                allowed = admin || self == .storeManager
            case .containment:
                if case .move(_, .suspectedStolen) = action, self == .storeOperator { return .allowed }
                allowed = admin || self == .storeManager
            case .release, .irreversible:
                return admin ? .needsRecentMFA : .denied
            }
        case .registerTerminal, .importTerminals, .editTerminal, .editMerchant, .openStore, .editStore,
            .tuneDetection, .manageWebhooks, .grantIncidentAccess:
            allowed = admin
        case .createMerchant, .readAudit, .proveAudit, .editIncidentTemplates, .deleteEvidence:
            allowed = self == .providerAdmin
        case .issueEnrollmentCode, .keepRoster, .workAlerts, .respondToIncidents:
            allowed = admin || self == .storeManager
        case .listUsers:
            allowed = !grantable.isEmpty
        case .createUser(let role), .editUser(let role):
            allowed = grantable.contains(role)
        case .screenPayments:
            allowed = readsOrganisation
        }
        return allowed ? .allowed : .denied
    }
}
