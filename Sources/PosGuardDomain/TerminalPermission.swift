/// Who may act on a terminal (the terminal rows of the permission table, `Role.permission(for:)`), decided
/// once for every route — the lifecycle API, remote commands, unlock codes, and later the console and
/// incidents — by what the action does to the terminal's service:
///
/// - **routine** care (commissioning, maintenance and back, reboot, locate, a message on screen): admins and
///   store managers.
/// - **containment** takes a terminal out of service or keeps it out (lock, suspected or confirmed theft, a
///   recovered terminal awaiting inspection): admins and store managers, and any cashier may raise a
///   suspicion. It never waits for a second factor: a theft must be contained in seconds, and everything it
///   does is undone only by a release.
/// - **release** brings a terminal back into service from containment (unlock, an unlock code, a suspicion
///   cleared, a recovered terminal returned): provider and merchant admins, with a TOTP code verified in the
///   last 15 minutes — a stolen password alone must never put a stolen terminal back to taking payments.
/// - **irreversible** actions (retirement, wiping the payment keys): provider and merchant admins, with a
///   recent TOTP code.
public enum TerminalAction: Sendable, Equatable {
    case move(from: TerminalState, to: TerminalState)
    case send(TerminalCommand.Kind)
    case issueUnlockCode

    public enum Effect: String, Sendable, Equatable {
        case routine, containment, release, irreversible
    }

    public var effect: Effect {
        switch self {
        case .move(_, .retired), .send(.wipeKeys): .irreversible
        case .move(_, .locked), .move(_, .suspectedStolen), .move(_, .stolen), .move(_, .recovered), .send(.lock):
            .containment
        case .move(.locked, .active), .move(.suspectedStolen, .active), .move(.stolen, .active),
            .move(.recovered, .active), .send(.unlock), .issueUnlockCode:
            .release
        case .move, .send: .routine
        }
    }

    /// What a user would call it, for messages.
    public var description: String {
        switch self {
        case .move(_, let to): "move a terminal to \(to.rawValue)"
        case .send(let kind): "send \(kind.rawValue)"
        case .issueUnlockCode: "issue an unlock code"
        }
    }
}

/// The answer of the permission table.
public enum Permission: Sendable, Equatable {
    case allowed
    /// Allowed once the session has proved a TOTP code recently.
    case needsRecentMFA
    case denied
}

extension Role {
    /// Whether a user of this role may take this action on a terminal inside their scope: the terminal rows
    /// of the permission table.
    public func permission(for action: TerminalAction) -> Permission { permission(for: .terminal(action)) }
}
