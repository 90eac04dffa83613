import HTTPTypes

/// The agent protocol's headers of a request, read in one pass over its fields: each `HTTPFields` lookup
/// scans every field, and an agent request needs six. A header sent more than once reads as its values
/// joined by ", ", as a lookup gives it.
struct AgentHeaders {
    var terminal: String?
    var timestamp: String?
    var signature: String?
    /// Set by the instance that sent the request on (see `SlotOwnership`).
    var forwardedBy: String?
    var forwardedFor: String?
    var forwardedSeal: String?

    init(_ fields: HTTPFields) {
        for field in fields {
            switch field.name {
            case .posGuardTerminal: Self.add(field.value, to: &terminal)
            case .posGuardTimestamp: Self.add(field.value, to: &timestamp)
            case .posGuardSignature: Self.add(field.value, to: &signature)
            case .posGuardForwardedBy: Self.add(field.value, to: &forwardedBy)
            case .posGuardForwardedFor: Self.add(field.value, to: &forwardedFor)
            case .posGuardForwardedSeal: Self.add(field.value, to: &forwardedSeal)
            default: continue
            }
        }
    }

    private static func add(_ value: String, to header: inout String?) {
        header = header.map { "\($0), \(value)" } ?? value
    }
}
