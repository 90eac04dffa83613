import Foundation
import PosGuardDomain
import PosGuardStorage

/// The inspections of recovered terminals: a person works through the checklist with the device in hand and
/// signs it off; a recovered terminal returns to `active` only after a passing one made since its recovery.
/// The firmware the device shows is compared with the version the registry holds for the terminal (the agent
/// protocol carries no firmware report, so the registry's record is the reference).
public struct RecoveryInspections: Sendable {
    public struct Draft: Sendable, Decodable {
        public var serialMatches: Bool
        public var sealsIntact: Bool
        public var noOverlayOrSkimmer: Bool
        public var casingIntact: Bool
        public var firmwareVersion: String
        public var notes: String?

        public init(
            serialMatches: Bool, sealsIntact: Bool, noOverlayOrSkimmer: Bool, casingIntact: Bool,
            firmwareVersion: String, notes: String? = nil
        ) {
            self.serialMatches = serialMatches
            self.sealsIntact = sealsIntact
            self.noOverlayOrSkimmer = noOverlayOrSkimmer
            self.casingIntact = casingIntact
            self.firmwareVersion = firmwareVersion
            self.notes = notes
        }
    }

    let runtime: Runtime
    let terminals = TerminalRepository()
    let inspections = InspectionRepository()
    var audit: AuditLog { AuditLog(runtime: runtime) }

    /// Records an inspection signed off by the caller (an admin or store manager, as for any incident
    /// response); a failing one is kept too, with the items that failed.
    public func record(_ terminal: UUID, _ draft: Draft, by caller: Caller) async throws -> TerminalInspection {
        let now = runtime.now()
        var v = Validator()
        let firmware = v.text(draft.firmwareVersion, "firmware_version", max: 64) ?? ""
        let notes = v.text(draft.notes, "notes", max: 2000, required: false, multiline: true)
        return try await runtime.database.transaction { db in
            guard let found = try await terminals.find(terminal, in: caller.scope, on: db) else {
                throw ServiceError.notFound("terminal")
            }
            try caller.authorize(.respondToIncidents, at: now)
            try v.finish()
            let inspection = TerminalInspection(
                id: runtime.ids.next(), terminalID: found.id,
                checklist: .init(
                    serialMatches: draft.serialMatches, sealsIntact: draft.sealsIntact,
                    noOverlayOrSkimmer: draft.noOverlayOrSkimmer, casingIntact: draft.casingIntact,
                    firmwareVersion: firmware),
                expectedFirmware: found.firmwareVersion, notes: notes?.isEmpty == false ? notes : nil,
                inspectedBy: caller.name, inspectedAt: now)
            try await inspections.insert(inspection, on: db)
            try await audit.record(
                caller, "terminal.inspect", target: "terminal", id: found.id, provider: found.providerID,
                after: inspection, reason: inspection.passed ? "passed" : "failed", at: now, on: db)
            return inspection
        }
    }
}
