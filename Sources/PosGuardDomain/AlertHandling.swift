import Foundation

/// How people work an alert: an open alert is acknowledged (someone is on it), and any alert not yet
/// resolved is resolved with a reason, marked a false positive when the rule was wrong, which counts
/// against the rule. A resolved alert is final: the rule's next finding opens a new one.
extension Alert {
    /// Why a change to an alert is refused: the alert is not in a state that allows it.
    public struct Refusal: Error, Sendable, Equatable {
        public var message: String

        public init(message: String) { self.message = message }
    }

    /// The alert acknowledged by `name` at `now`; only an open alert can be.
    public func acknowledged(by name: String, at now: Date) throws(Refusal) -> Alert {
        guard status == .open else {
            throw Refusal(message: "only an open alert can be acknowledged; this one is \(status.rawValue)")
        }
        var after = self
        after.status = .acknowledged
        after.acknowledgedAt = now
        after.acknowledgedBy = name
        return after
    }

    /// The alert resolved by `name` at `now` for `reason`; an open or acknowledged one can be.
    public func resolved(by name: String, reason: String, falsePositive: Bool, at now: Date) throws(Refusal)
        -> Alert
    {
        guard status != .resolved else { throw Refusal(message: "the alert is already resolved") }
        var after = self
        after.status = .resolved
        after.resolvedAt = now
        after.resolvedBy = name
        after.resolution = reason
        after.falsePositive = falsePositive
        return after
    }
}
