import Foundation

/// One detection rule: a value that looks at an event in the light of what is remembered about the
/// terminal and its surroundings, updates the part of the memory it owns, and may report a finding.
public struct DetectionRule: Sendable {
    public let id: RuleID
    public let severity: AlertSeverity
    let judge:
        @Sendable (_ watch: inout TerminalWatch, _ event: AgentEvent, _ context: DetectionContext) -> (String, [Int64])?

    public init(
        _ id: RuleID, _ severity: AlertSeverity,
        judge: @escaping @Sendable (inout TerminalWatch, AgentEvent, DetectionContext) -> (String, [Int64])?
    ) {
        self.id = id
        self.severity = severity
        self.judge = judge
    }

    public func evaluate(_ watch: inout TerminalWatch, _ event: AgentEvent, _ context: DetectionContext) -> Finding? {
        judge(&watch, event, context).map {
            Finding(rule: id, severity: severity, message: $0.0, evidence: $0.1, at: event.at)
        }
    }
}
