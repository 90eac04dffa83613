/// Where a terminal is in its life, as the registry records it.
public enum TerminalState: String, Codable, CaseIterable, Sendable, Comparable {
    case inventory
    case active
    case maintenance
    case locked
    case suspectedStolen = "suspected_stolen"
    case stolen
    case recovered
    case retired

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Whether an agent may enroll (or re-enroll) for a terminal in this state. Out of service — locked,
    /// suspected or confirmed stolen, recovered and not yet inspected, retired — no new key is accepted, so
    /// a code issued before a theft cannot give the thief's device a voice.
    public var acceptsEnrollment: Bool { self == .inventory || self == .active || self == .maintenance }

    /// The states this one may move to, as the lifecycle allows.
    public var allowedNext: [TerminalState] {
        TerminalState.allCases.filter { TerminalLifecycle.check(from: self, to: $0) != .notAllowed }
    }
}

/// The lifecycle state machine: which moves a terminal may make.
///
/// `inventory → active ⇄ maintenance`, `active/maintenance → locked → active`, any non-retired →
/// `suspected_stolen → stolen → recovered → (inspection passed) → active`, any → `retired` (final).
/// A suspicion that turns out false (`suspected_stolen → active`) is cleared directly, and a terminal found
/// before the theft is confirmed goes `suspected_stolen → recovered`, so it is inspected before use.
public enum TerminalLifecycle {
    public enum Verdict: Equatable, Sendable {
        case allowed
        /// Allowed only once the recovered terminal has passed its inspection.
        case needsInspection
        case notAllowed
    }

    public static func check(from: TerminalState, to: TerminalState) -> Verdict {
        if from == to || from == .retired { return .notAllowed }
        switch (from, to) {
        case (_, .retired): return .allowed
        case (.stolen, .suspectedStolen): return .notAllowed
        case (_, .suspectedStolen): return .allowed
        case (.inventory, .active),
            (.active, .maintenance), (.maintenance, .active),
            (.active, .locked), (.maintenance, .locked), (.locked, .active),
            (.suspectedStolen, .stolen), (.suspectedStolen, .active),
            (.suspectedStolen, .recovered), (.stolen, .recovered):
            return .allowed
        case (.recovered, .active): return .needsInspection
        default: return .notAllowed
        }
    }
}

extension TerminalLifecycle {
    /// The fewest lawful moves (none needing an inspection) that take a terminal from one state to another;
    /// empty when it is there already or cannot get there.
    public static func route(from: TerminalState, to: TerminalState) -> [TerminalState] {
        var previous: [TerminalState: TerminalState] = [:]
        var queue = [from]
        while !queue.isEmpty {
            let state = queue.removeFirst()
            if state == to { break }
            for next in TerminalState.allCases
            where next != from && previous[next] == nil && check(from: state, to: next) == .allowed {
                previous[next] = state
                queue.append(next)
            }
        }
        guard from != to, previous[to] != nil else { return [] }
        var route = [to]
        while let step = previous[route[0]], step != from { route.insert(step, at: 0) }
        return route
    }
}
