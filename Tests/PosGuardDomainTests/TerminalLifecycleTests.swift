import PosGuardDomain
import Testing

@Suite("Terminal lifecycle")
struct TerminalLifecycleTests {
    /// Every lawful move, written out by hand from the product's lifecycle, independent of the code.
    static let lawful: Set<String> = [
        "inventory>active", "active>maintenance", "maintenance>active", "active>locked", "maintenance>locked",
        "locked>active", "suspected_stolen>stolen", "stolen>recovered", "suspected_stolen>recovered",
        "suspected_stolen>active", "recovered>active",
        // any non-retired → suspected_stolen, except a confirmed theft
        "inventory>suspected_stolen", "active>suspected_stolen", "maintenance>suspected_stolen",
        "locked>suspected_stolen", "recovered>suspected_stolen",
        // any → retired
        "inventory>retired", "active>retired", "maintenance>retired", "locked>retired", "suspected_stolen>retired",
        "stolen>retired", "recovered>retired",
    ]

    @Test("every pair of states is allowed exactly when the lifecycle says so", arguments: TerminalState.allCases)
    func exhaustive(from: TerminalState) {
        for to in TerminalState.allCases {
            let verdict = TerminalLifecycle.check(from: from, to: to)
            let expected = Self.lawful.contains("\(from.rawValue)>\(to.rawValue)")
            #expect((verdict != .notAllowed) == expected, "\(from.rawValue) → \(to.rawValue)")
        }
    }

    @Test func retiredIsFinal() {
        #expect(TerminalState.retired.allowedNext.isEmpty)
    }

    @Test func recoveredTerminalReturnsToServiceOnlyAfterInspection() {
        #expect(TerminalLifecycle.check(from: .recovered, to: .active) == .needsInspection)
        #expect(TerminalLifecycle.check(from: .inventory, to: .active) == .allowed)
    }

    @Test func noStateMovesToItself() {
        for state in TerminalState.allCases { #expect(TerminalLifecycle.check(from: state, to: state) == .notAllowed) }
    }

    @Test func allowedNextListsTheLawfulMoves() {
        #expect(TerminalState.locked.allowedNext == [.active, .suspectedStolen, .retired])
        #expect(TerminalState.stolen.allowedNext == [.recovered, .retired])
    }
}
