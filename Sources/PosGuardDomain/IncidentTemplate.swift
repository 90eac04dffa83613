import Foundation

/// The response plan an incident of one type starts with: its steps, in order. The defaults follow the
/// standard theft response; each provider may replace them with its own.
public struct IncidentTemplate: Sendable, Equatable, Codable {
    public struct Step: Sendable, Equatable, Codable {
        public var key: String
        public var title: String
        public var ownerRole: Role
        /// Hours after opening the step is due.
        public var dueAfterHours: Double

        public init(key: String, title: String, ownerRole: Role, dueAfterHours: Double) {
            self.key = key
            self.title = title
            self.ownerRole = ownerRole
            self.dueAfterHours = dueAfterHours
        }
    }

    public var steps: [Step]

    public init(steps: [Step]) { self.steps = steps }

    /// Keys the product acts on itself: the lock and key wipe of the terminals (added first when the opener could
    /// not send them), the provider told at once (done on opening), the police report (it records the report
    /// number and station).
    public static let sendContainment = "send_lock_and_wipe"
    public static let notifyProvider = "notify_provider"
    public static let reportPolice = "report_police"

    static let catalogue: [String: Step] = Dictionary(
        uniqueKeysWithValues: [
            Step(
                key: sendContainment, title: "Send lock and key wipe to the terminals", ownerRole: .merchantAdmin,
                dueAfterHours: 0.25),
            Step(
                key: reportPolice, title: "Report to the police: record the report number and station",
                ownerRole: .storeManager, dueAfterHours: 24),
            Step(
                key: notifyProvider, title: "Notify the POS provider with the incident summary",
                ownerRole: .providerAdmin, dueAfterHours: 1),
            Step(
                key: "preserve_evidence",
                title: "Preserve evidence: CCTV reference, staff statements (the terminals' last events are frozen)",
                ownerRole: .storeManager, dueAfterHours: 24),
            Step(
                key: "identify_impact", title: "Identify the affected transactions and customers",
                ownerRole: .merchantAdmin, dueAfterHours: 48),
            Step(
                key: "notify_customers", title: "Notify the affected customers", ownerRole: .merchantAdmin,
                dueAfterHours: 72),
            Step(
                key: "request_replacement", title: "Request a replacement terminal", ownerRole: .storeManager,
                dueAfterHours: 24),
            Step(
                key: "inspect_other_terminals", title: "Inspect the store's other terminals",
                ownerRole: .storeManager, dueAfterHours: 24),
            Step(
                key: "post_incident_review", title: "Review after the incident: lessons learned",
                ownerRole: .merchantAdmin, dueAfterHours: 14 * 24),
        ].map { ($0.key, $0) })

    /// The plan a provider starts with for each type of incident.
    public static func standard(for type: IncidentType) -> IncidentTemplate {
        let keys: [String] =
            switch type {
            case .theft, .loss:
                [
                    reportPolice, notifyProvider, "preserve_evidence", "identify_impact", "notify_customers",
                    "request_replacement", "inspect_other_terminals", "post_incident_review",
                ]
            case .suspectedTheft:
                [notifyProvider, "preserve_evidence", "inspect_other_terminals", "post_incident_review"]
            case .tampering, .insiderMisuse:
                [
                    notifyProvider, "preserve_evidence", "identify_impact", "notify_customers",
                    "inspect_other_terminals", "post_incident_review",
                ]
            }
        return IncidentTemplate(steps: keys.compactMap { catalogue[$0] })
    }

    /// The tasks of a new incident: the template's steps due from `now`, with the containment step first when
    /// the opener could not queue the lock and key wipe themselves.
    public func tasks(
        for incident: UUID, at now: Date, containmentPending: Bool, ids: () -> UUID
    ) -> [IncidentTask] {
        let steps = (containmentPending ? [Self.catalogue[Self.sendContainment]!] : []) + steps
        return steps.map {
            IncidentTask(
                id: ids(), incidentID: incident, key: $0.key, title: $0.title, ownerRole: $0.ownerRole,
                dueAt: now.addingTimeInterval($0.dueAfterHours * 3600))
        }
    }

    /// Checks a provider's own template: at least one step, unique keys of letters, digits and `_`, titles,
    /// due times from now up to a year.
    public func validate() throws {
        var v = Validator()
        v.check(!steps.isEmpty && steps.count <= 50, "steps", "must hold 1 to 50 steps")
        var seen: Set<String> = []
        for (i, step) in steps.enumerated() {
            let keyCharacters = step.key.utf8.allSatisfy {
                (97...122).contains($0) || (48...57).contains($0) || $0 == 95
            }
            v.check(
                !step.key.isEmpty && step.key.count <= 64 && keyCharacters, "steps[\(i)].key",
                "must be 1 to 64 lower-case letters, digits or _")
            v.check(seen.insert(step.key).inserted, "steps[\(i)].key", "repeats another step's key")
            _ = v.text(step.title, "steps[\(i)].title", max: 200)
            v.check(
                step.dueAfterHours >= 0 && step.dueAfterHours <= 366 * 24, "steps[\(i)].due_after_hours",
                "must be between 0 and 8784")
        }
        try v.finish()
    }
}
