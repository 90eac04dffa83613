import Foundation
import PosGuardDomain
import PosGuardStorage

/// The watchdog over silence: terminals that stop reporting are `offline` after a while and `missing`
/// after much longer, each raised once until the terminal is heard from again.
public struct SilenceWatch: Sendable {
    let runtime: Runtime
    let engine: DetectionEngine
    let alertDesk: AlertDesk
    let containment: Containment

    /// Judges every quiet terminal now; returns how many alerts were raised or updated.
    @discardableResult
    public func sweep() async throws -> Int {
        let now = runtime.now()
        var raised = 0
        // No threshold may be under a minute, so terminals heard from within the last minute are skipped.
        for (id, _) in engine.quietSince(now.addingTimeInterval(-60)) {
            raised += try await engine.lock.withLock(id) {
                var watch = engine.watch(of: id)
                guard let subject = try await engine.subject(id),
                    let finding = DetectionRules.judgeSilence(
                        watch: &watch, settings: subject.context.settings, now: now)
                else { return 0 }
                let changed = try await runtime.database.transaction { db in
                    try await EventRepository().saveWatch(watch, of: id, at: now, on: db)
                    _ = try await alertDesk.record([finding], for: subject.terminal, at: now, on: db)
                    guard finding.severity == .critical, subject.context.settings.autoLockOnCritical else {
                        return false
                    }
                    return try await containment.respond(to: finding, terminal: subject.terminal, at: now, on: db)
                }
                engine.setWatch(watch, of: id)
                if changed { await runtime.announce(.terminal(id)) }
                return 1
            }
        }
        return raised
    }
}
