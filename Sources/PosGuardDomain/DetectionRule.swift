import Foundation

/// One detection rule: a value that looks at an event in the light of what is remembered about the
/// terminal and its surroundings, updates the part of the memory it owns, and may report a finding.
public struct DetectionRule: Sendable {
    public let id: RuleID
    /// The severity of a finding: fixed for most rules, set by policy and the hours for some.
    let severity: @Sendable (_ event: AgentEvent, _ context: DetectionContext) -> AlertSeverity
    let judge:
        @Sendable (_ watch: inout TerminalWatch, _ event: AgentEvent, _ context: DetectionContext) -> (String, [Int64])?

    public init(
        _ id: RuleID, _ severity: AlertSeverity,
        judge: @escaping @Sendable (inout TerminalWatch, AgentEvent, DetectionContext) -> (String, [Int64])?
    ) {
        self.init(id, severity: { _, _ in severity }, judge: judge)
    }

    public init(
        _ id: RuleID, severity: @escaping @Sendable (AgentEvent, DetectionContext) -> AlertSeverity,
        judge: @escaping @Sendable (inout TerminalWatch, AgentEvent, DetectionContext) -> (String, [Int64])?
    ) {
        self.id = id
        self.severity = severity
        self.judge = judge
    }

    public func evaluate(_ watch: inout TerminalWatch, _ event: AgentEvent, _ context: DetectionContext) -> Finding? {
        judge(&watch, event, context).map {
            Finding(rule: id, severity: severity(event, context), message: $0.0, evidence: $0.1, at: event.at)
        }
    }
}
