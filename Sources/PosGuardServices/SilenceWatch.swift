import Foundation
import PosGuardDomain
import PosGuardStorage

/// The watchdog over silence: terminals that stop reporting are `offline` after a while and `missing`
/// after much longer, each raised once until the terminal is heard from again; and event numbers awaited
/// too long are given up as lost (`event_gap`), so the acknowledgement moves on even if the terminal is silent.
/// Each instance judges the terminals of the slots it holds.
public struct SilenceWatch: Sendable {
    let runtime: Runtime
    let memory: DetectionMemory
    let ownership: SlotOwnership
    let alertDesk: AlertDesk
    let containment: Containment

    /// Judges every quiet terminal now; returns how many terminals had alerts raised or updated.
    @discardableResult
    public func sweep() async throws -> Int {
        let now = runtime.now()
        var raised = 0
        // No threshold may be under a minute, so what happened within the last minute is left for later.
        for id in memory.due(now.addingTimeInterval(-60)) {
            raised += try await memory.lock.withLock(id) {
                var watch = memory.watch(of: id)
                guard let subject = try await memory.subject(id),
                    let slot = ownership.enter(store: subject.terminal.storeID)
                else { return 0 }
                defer { ownership.done(slot) }
                let settings = subject.context.settings
                let findings =
                    DetectionRules.judgeMissingEvents(watch: &watch, settings: settings, now: now)
                    + [DetectionRules.judgeSilence(watch: &watch, settings: settings, now: now)].compactMap { $0 }
                guard !findings.isEmpty else { return 0 }
                do {
                    try await runtime.database.transaction { db in
                        try await EventRepository().saveWatch(watch, of: id, at: now, on: db)
                        _ = try await alertDesk.record(findings, for: subject.terminal, at: now, on: db)
                        if settings.autoLockOnCritical,
                            let critical = findings.first(where: { $0.severity == .critical })
                        {
                            try await containment.respond(to: critical, terminal: subject.terminal, at: now, on: db)
                        }
                        try await ownership.fence(stores: [subject.terminal.storeID], on: db)
                    }
                } catch is SlotOwnership.Moved {
                    return 0  // its new holder judges it
                }
                memory.setWatch(watch, of: id)
                return 1
            }
        }
        return raised
    }
}
