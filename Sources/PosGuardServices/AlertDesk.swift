import Foundation
import PosGuardDomain
import PosGuardStorage

/// Alerts: raised from findings (one open alert per terminal and rule, counting recurrences), then
/// acknowledged and resolved by people, a false positive counting against its rule.
public struct AlertDesk: Sendable {
    public struct Resolution: Sendable, Decodable {
        public var reason: String
        public var falsePositive: Bool?

        public init(reason: String, falsePositive: Bool? = nil) {
            self.reason = reason
            self.falsePositive = falsePositive
        }
    }

    public struct RuleSummary: Sendable, Encodable {
        public var rule: RuleID
        public var open: Int
        public var falsePositives: Int
    }

    let runtime: Runtime
    let alerts = AlertRepository()
    let notifier: Notifier
    var audit: AuditLog { AuditLog(runtime: runtime) }

    /// `email` says whether alerts are also sent by email (an SMTP server is configured).
    public init(runtime: Runtime, email: Bool = false) {
        self.runtime = runtime
        notifier = Notifier(runtime: runtime, email: email)
    }

    /// Turns findings about a terminal into alerts, in the caller's transaction. Returns the alerts raised
    /// or updated.
    func record(_ findings: [Finding], for terminal: Terminal, at now: Date, on db: UnitOfWork) async throws
        -> [Alert]
    {
        var touched: [Alert] = []
        for finding in findings {
            if var alert = try await alerts.unresolved(terminal: terminal.id, rule: finding.rule, on: db) {
                alert.recur(finding)
                try await alerts.update(alert, on: db)
                touched.append(alert)
            } else {
                let alert = Alert(
                    id: runtime.ids.next(), providerID: terminal.providerID, merchantID: terminal.merchantID,
                    storeID: terminal.storeID, terminalID: terminal.id, finding: finding)
                try await alerts.insert(alert, on: db)
                try await notifier.alertRaised(alert, terminal: terminal, at: now, on: db)
                try await audit.record(
                    .system("detection", provider: terminal.providerID, at: now), "alert.raise", target: "alert",
                    id: alert.id,
                    provider: terminal.providerID, after: alert, reason: finding.message, at: now, on: db)
                touched.append(alert)
            }
        }
        return touched
    }

    public func list(_ filter: AlertFilter, after cursor: Cursor?, limit: Int, by caller: Caller)
        async throws
        -> Page<Alert>
    {
        try await runtime.database.withConnection {
            try await alerts.list(in: caller.scope, filter: filter, after: cursor, limit: limit, on: $0)
        }
    }

    public func find(_ id: UUID, by caller: Caller) async throws -> Alert {
        let found = try await runtime.database.withConnection { try await alerts.find(id, in: caller.scope, on: $0) }
        guard let found else { throw ServiceError.notFound("alert") }
        return found
    }

    public func acknowledge(_ id: UUID, by caller: Caller) async throws -> Alert {
        try await change(id, by: caller, action: "alert.acknowledge", reason: nil) { alert, now in
            try alert.acknowledged(by: caller.name, at: now)
        }
    }

    public func resolve(_ id: UUID, _ resolution: Resolution, by caller: Caller) async throws -> Alert {
        var v = Validator()
        let reason = v.text(resolution.reason, "reason", max: 1000, multiline: true) ?? ""
        try v.finish()
        return try await change(id, by: caller, action: "alert.resolve", reason: reason) { alert, now in
            try alert.resolved(
                by: caller.name, reason: reason, falsePositive: resolution.falsePositive ?? false, at: now)
        }
    }

    /// Per rule, the open alerts and those resolved as false positives, in the caller's scope.
    public func rules(by caller: Caller) async throws -> [RuleSummary] {
        let counts = try await runtime.database.withConnection { try await alerts.ruleCounts(in: caller.scope, on: $0) }
        return RuleID.allCases.map {
            RuleSummary(rule: $0, open: counts[$0]?.open ?? 0, falsePositives: counts[$0]?.falsePositives ?? 0)
        }
    }

    private func change(
        _ id: UUID, by caller: Caller, action: String, reason: String?,
        _ transition: (Alert, Date) throws -> Alert
    ) async throws -> Alert {
        let now = runtime.now()
        return try await runtime.database.transaction { db in
            guard let before = try await alerts.find(id, in: caller.scope, on: db) else {
                throw ServiceError.notFound("alert")
            }
            try caller.authorize(.workAlerts, at: now)
            let after: Alert
            do {
                after = try transition(before, now)
            } catch let refusal as Alert.Refusal {
                throw ServiceError.conflict(field: nil, message: refusal.message)
            }
            try await alerts.update(after, on: db)
            try await audit.record(
                caller, action, target: "alert", id: id, before: before, after: after, reason: reason, at: now, on: db)
            return after
        }
    }
}
