import Foundation

/// The inspection a recovered terminal passes before it takes payments again: the checklist a person works
/// through with the device in hand, signed off by them. A recovered terminal returns to `active` only after
/// a passing inspection made since it became `recovered`.
public struct TerminalInspection: Sendable, Equatable, Codable {
    /// What the inspector checked and saw.
    public struct Checklist: Sendable, Equatable, Codable {
        /// The serial number on the device's label matches the registry's.
        public var serialMatches: Bool
        /// The tamper-evident seals are present and unbroken.
        public var sealsIntact: Bool
        /// No overlay on the keypad or card reader, no skimmer in the slot.
        public var noOverlayOrSkimmer: Bool
        /// The casing shows no sign of being opened, drilled or glued.
        public var casingIntact: Bool
        /// The firmware version the device shows in its system information.
        public var firmwareVersion: String

        public init(
            serialMatches: Bool, sealsIntact: Bool, noOverlayOrSkimmer: Bool, casingIntact: Bool,
            firmwareVersion: String
        ) {
            self.serialMatches = serialMatches
            self.sealsIntact = sealsIntact
            self.noOverlayOrSkimmer = noOverlayOrSkimmer
            self.casingIntact = casingIntact
            self.firmwareVersion = firmwareVersion
        }

        /// The items that fail, by field name: every check must hold, and the firmware the device shows must be
        /// the version the registry holds for it (a terminal with no registered firmware cannot pass: there is
        /// nothing to compare with).
        public func failures(expectedFirmware: String?) -> [String] {
            var failed: [String] = []
            if !serialMatches { failed.append("serial_matches") }
            if !sealsIntact { failed.append("seals_intact") }
            if !noOverlayOrSkimmer { failed.append("no_overlay_or_skimmer") }
            if !casingIntact { failed.append("casing_intact") }
            let shown = firmwareVersion.trimmingCharacters(in: .whitespaces)
            if expectedFirmware == nil || shown.caseInsensitiveCompare(expectedFirmware ?? "") != .orderedSame {
                failed.append("firmware_version")
            }
            return failed
        }
    }

    public var id: UUID
    public var terminalID: UUID
    public var checklist: Checklist
    /// The firmware version the registry held when the inspection was signed off.
    public var expectedFirmware: String?
    /// The failed items; empty when the inspection passed.
    public var failures: [String]
    public var notes: String?
    public var inspectedBy: String
    public var inspectedAt: Date

    public var passed: Bool { failures.isEmpty }

    public init(
        id: UUID, terminalID: UUID, checklist: Checklist, expectedFirmware: String?, notes: String?,
        inspectedBy: String, inspectedAt: Date
    ) {
        self.id = id
        self.terminalID = terminalID
        self.checklist = checklist
        self.expectedFirmware = expectedFirmware
        failures = checklist.failures(expectedFirmware: expectedFirmware)
        self.notes = notes
        self.inspectedBy = inspectedBy
        self.inspectedAt = inspectedAt
    }

    /// Whether an inspection clears a terminal recovered at `recoveredAt` for service: a passing one made
    /// since then (an inspection from before the theft says nothing about the device that came back).
    public static func clears(_ inspection: TerminalInspection?, recoveredAt: Date?) -> Bool {
        guard let inspection, inspection.passed, let recoveredAt else { return false }
        return inspection.inspectedAt >= recoveredAt
    }
}
