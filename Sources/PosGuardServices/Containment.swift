import Foundation
import PosGuardDomain
import PosGuardStorage

/// The merchant's automatic response to a critical alert: the terminal is marked suspected stolen and a
/// lock (lost mode) is queued for its next contact, so a thief gets minutes, not days.
struct Containment: Sendable {
    let runtime: Runtime
    let registry: TerminalRegistry
    let commands = CommandRepository()
    var audit: AuditLog { AuditLog(runtime: runtime) }

    static let lostModeMessage = "This payment terminal has been reported lost. Please return it to the store."

    /// Applies the response in the caller's transaction. A terminal someone moved since detection read it
    /// keeps the state they gave it; the lock is queued all the same.
    func respond(to finding: Finding, terminal: Terminal, at now: Date, on db: UnitOfWork) async throws {
        let detection = Caller.system("detection", provider: terminal.providerID, at: now)
        let reason = "critical alert \(finding.rule.rawValue): \(finding.message)"
        if TerminalLifecycle.check(from: terminal.state, to: .suspectedStolen) == .allowed {
            _ = try await registry.apply(.suspectedStolen, to: terminal, by: detection, reason: reason, at: now, on: db)
        }
        // One lock at a time: a lock queued, or delivered and awaiting its answer, already covers this finding.
        let pending = try await commands.commands(of: terminal.id, in: .provider(terminal.providerID), on: db)
            .filter { ($0.status == .queued || $0.status == .delivered) && now < $0.expiresAt }
        if terminal.state != .retired, !pending.contains(where: { $0.type == .lock }) {
            let lock = TerminalCommand(
                id: runtime.ids.next(), terminalID: terminal.id, type: .lock,
                payload: ["message": Self.lostModeMessage],
                status: .queued, createdAt: now, createdBy: detection.name, reason: reason)
            try await commands.insert(lock, on: db)
            try await audit.record(
                detection, "command.queue", target: "command", id: lock.id, provider: terminal.providerID, after: lock,
                reason: reason, at: now, on: db)
        }
    }
}
