import Foundation
import PosGuardDomain
import Testing

@Suite("Permission table")
struct PermissionTableTests {
    /// Every terminal move and command, and issuing unlock codes.
    static let terminalActions: [TerminalAction] =
        TerminalState.allCases.flatMap { from in TerminalState.allCases.map { .move(from: from, to: $0) } }
        + TerminalCommand.Kind.allCases.map { .send($0) } + [.issueUnlockCode]

    /// Every action of the product, terminal actions by effect from the mildest; every role a user can be given.
    static let actions: [Action] =
        [TerminalAction.Effect.routine, .containment, .release, .irreversible].flatMap { effect in
            terminalActions.filter { $0.effect == effect }.map(Action.terminal)
        }
        + [
            .registerTerminal, .importTerminals, .editTerminal, .issueEnrollmentCode, .createMerchant, .editMerchant,
            .openStore, .editStore, .keepRoster, .tuneDetection, .workAlerts, .manageWebhooks, .readAudit, .proveAudit,
            .listUsers,
        ]
        + Role.allCases.flatMap { [Action.createUser($0), .editUser($0)] }
        + [.screenPayments, .respondToIncidents, .grantIncidentAccess, .editIncidentTemplates, .deleteEvidence]

    /// The README's row for an action (the switch names every case, so a new action needs a row).
    static func row(_ action: Action) -> String {
        switch action {
        case .terminal(let action):
            switch action.effect {
            case .routine:
                "routine terminal care: `inventory → active`, `active ⇄ maintenance`; "
                    + "`locate`, `display_message`, `reboot`"
            case .containment:
                if case .move(_, .suspectedStolen) = action {
                    "raise a suspicion: `→ suspected_stolen`"
                } else {
                    "containment: `→ locked`, `→ stolen`, `→ recovered`; `lock`"
                }
            case .release: "release: `locked / suspected_stolen / recovered → active`; `unlock`; unlock codes"
            case .irreversible: "irreversible: `→ retired`; `wipe_keys`"
            }
        case .registerTerminal, .importTerminals, .editTerminal: "register, import and edit terminals"
        case .issueEnrollmentCode: "issue agent enrollment codes"
        case .createMerchant: "create merchants"
        case .editMerchant: "edit merchants"
        case .openStore, .editStore: "open and edit stores"
        case .keepRoster: "keep a store's roster of operators"
        case .tuneDetection: "tune detection"
        case .workAlerts: "acknowledge and resolve alerts"
        case .manageWebhooks: "manage webhooks"
        case .readAudit: "read the audit log"
        case .proveAudit: "check the audit log's proofs"
        case .listUsers: "list users"
        case .createUser(let role), .editUser(let role): "create and edit `\(role.rawValue)` users"
        case .screenPayments: "screen payments over HTTP"
        case .respondToIncidents: "open incidents, work their tasks and notes, close them"
        case .grantIncidentAccess: "grant a police liaison officer access to an incident"
        case .editIncidentTemplates: "edit the response plans"
        case .deleteEvidence: "delete an evidence file after its retention period"
        }
    }

    static func cell(_ permission: Permission) -> String {
        switch permission {
        case .allowed: "yes"
        case .needsRecentMFA: "TOTP"
        case .denied: "—"
        }
    }

    /// The table as the README shows it: one row per kind of action, one column per role.
    static func rendered() -> [String] {
        var rows: [(label: String, cells: [String])] = []
        for action in actions {
            let cells = Role.allCases.map { cell($0.permission(for: action)) }
            let label = row(action)
            if let existing = rows.first(where: { $0.label == label }) {
                #expect(existing.cells == cells, "every action of the row \(label) gets the same answers")
            } else {
                rows.append((label, cells))
            }
        }
        return [
            "| action | " + Role.allCases.map { "`\($0.rawValue)`" }.joined(separator: " | ") + " |",
            "|---|" + String(repeating: "---|", count: Role.allCases.count),
        ]
            + rows.map { "| \($0.label) | " + $0.cells.joined(separator: " | ") + " |" }
    }

    @Test func theReadmeShowsTheWholeTable() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let lines = try String(contentsOf: readme, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false
        )
        .map { $0.trimmingCharacters(in: .whitespaces) }
        let table = Self.rendered()
        let start = try #require(
            lines.firstIndex(of: table[0]), "README lacks the table:\n\(table.joined(separator: "\n"))")
        #expect(
            Array(lines[start...].prefix(while: { $0.hasPrefix("|") })) == table, "\(table.joined(separator: "\n"))")
    }

    @Test func onlyTerminalReleasesAndIrreversibleActionsNeedASecondFactor() {
        for action in Self.actions {
            let effect: TerminalAction.Effect? = if case .terminal(let a) = action { a.effect } else { nil }
            let needsMFA = Role.allCases.contains { $0.permission(for: action) == .needsRecentMFA }
            #expect(needsMFA == (effect == .release || effect == .irreversible), "\(action)")
        }
    }

    @Test func aRefusalNamesWhoMay() {
        let who: [String: Set<Role>] = [
            "only provider admins": [.providerAdmin],
            "only provider and merchant admins": [.providerAdmin, .merchantAdmin],
            "only admins and store managers": [.providerAdmin, .merchantAdmin, .storeManager],
            "only admins and the store's manager": [.providerAdmin, .merchantAdmin, .storeManager],
        ]
        for action in Self.actions {
            let allowed = Set(Role.allCases.filter { $0.permission(for: action) != .denied })
            let refusal = action.refusal(for: .storeOperator)
            if let (_, roles) = who.first(where: { refusal.hasPrefix($0.key + " ") }) {
                #expect(allowed == roles, "\(refusal)")
            } else {
                #expect(
                    refusal.hasPrefix("a store_operator may not ") || refusal.hasPrefix("your role does not "),
                    "\(refusal)")
            }
        }
        #expect(
            Action.createUser(.merchantAdmin).refusal(for: .storeManager)
                == "a store_manager may not create a merchant_admin")
        #expect(Action.listUsers.refusal(for: .storeOperator) == "your role does not manage users")
        #expect(
            Action.terminal(.send(.wipeKeys)).refusal(for: .storeManager) == "a store_manager may not send wipe_keys")
    }

    @Test func userAdministrationFollowsTheRolesEachRoleGrants() {
        for role in Role.allCases {
            #expect((role.permission(for: .listUsers) == .allowed) == !role.grantable.isEmpty)
            for target in Role.allCases {
                let may = role.grantable.contains(target)
                #expect((role.permission(for: .createUser(target)) == .allowed) == may)
                #expect((role.permission(for: .editUser(target)) == .allowed) == may)
            }
        }
    }
}
