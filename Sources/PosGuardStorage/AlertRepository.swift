import Foundation
import PosGuardDomain
import SQLKit

/// Alerts, read and written only inside a scope.
public struct AlertRepository: Sendable {
    public init() {}

    /// The alert still open (or acknowledged) for this terminal and rule, if any.
    public func unresolved(terminal: UUID, rule: RuleID, on work: UnitOfWork) async throws -> Alert? {
        try await work.sql.select().column("*").from("alerts").where("terminal_id", .equal, terminal.key)
            .where("rule", .equal, rule.rawValue).where("status", .notEqual, AlertStatus.resolved.rawValue)
            .first().map(Self.alert)
    }

    public func insert(_ a: Alert, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "alerts")
            .columns(
                "id", "provider_id", "merchant_id", "store_id", "terminal_id", "rule", "severity", "status", "message",
                "occurrences", "evidence", "first_at", "last_at", "false_positive"
            )
            .values(
                SQLBind(a.id.key), SQLBind(a.providerID.key), SQLBind(a.merchantID.key), SQLBind(a.storeID.key),
                SQLBind(a.terminalID.key), SQLBind(a.rule.rawValue), SQLBind(a.severity.rawValue),
                SQLBind(a.status.rawValue), SQLBind(a.message), SQLBind(Int64(a.occurrences)),
                SQLBind(Self.evidence(a.evidence)), SQLBind(a.firstAt.millis), SQLBind(a.lastAt.millis),
                SQLBind(a.falsePositive ? 1 : 0)
            ).run()
    }

    /// Saves everything about an alert that can change after it was raised.
    public func update(_ a: Alert, on work: UnitOfWork) async throws {
        try await work.sql.update("alerts").set("severity", to: a.severity.rawValue).set(
            "status", to: a.status.rawValue
        )
        .set("message", to: a.message).set("occurrences", to: Int64(a.occurrences))
        .set("evidence", to: Self.evidence(a.evidence)).set("last_at", to: a.lastAt.millis)
        .set("acknowledged_at", to: a.acknowledgedAt?.millis).set("acknowledged_by", to: a.acknowledgedBy)
        .set("resolved_at", to: a.resolvedAt?.millis).set("resolved_by", to: a.resolvedBy)
        .set("resolution", to: a.resolution).set("false_positive", to: a.falsePositive ? 1 : 0)
        .where("id", .equal, a.id.key).run()
    }

    public func find(_ id: UUID, in scope: Scope, on work: UnitOfWork) async throws -> Alert? {
        try await work.sql.select().column("*").from("alerts").where("id", .equal, id.key).scoped(scope, .terminals)
            .first().map(Self.alert)
    }

    public func list(in scope: Scope, filter: AlertFilter, after cursor: Cursor?, limit: Int, on work: UnitOfWork)
        async throws -> Page<Alert>
    {
        var query = work.sql.select().column("*").from("alerts").scoped(scope, .terminals)
        if let v = filter.terminalID { query = query.where("terminal_id", .equal, v.key) }
        if let v = filter.status { query = query.where("status", .equal, v.rawValue) }
        if let v = filter.severity { query = query.where("severity", .equal, v.rawValue) }
        if let v = filter.rule { query = query.where("rule", .equal, v.rawValue) }
        let rows = try await query.page(after: cursor, limit: limit).all()
        return Page(fetched: try rows.map(Self.alert), limit: limit, id: \.id)
    }

    /// Per rule: alerts still open, and alerts people resolved as false positives.
    public func ruleCounts(in scope: Scope, on work: UnitOfWork) async throws -> [RuleID: (
        open: Int, falsePositives: Int
    )] {
        let rows = try await work.sql.select().column("rule").column("status").column("false_positive")
            .column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
            .from("alerts").scoped(scope, .terminals).groupBy("rule").groupBy("status").groupBy("false_positive").all()
        var counts: [RuleID: (open: Int, falsePositives: Int)] = [:]
        for row in rows {
            let rule = try row.enumeration("rule", as: RuleID.self)
            let n = Int(try row.int("n"))
            var c = counts[rule] ?? (0, 0)
            if try row.text("status") != AlertStatus.resolved.rawValue { c.open += n }
            if try row.int("false_positive") != 0 { c.falsePositives += n }
            counts[rule] = c
        }
        return counts
    }

    static func evidence(_ seqs: [Int64]) -> String { seqs.map(String.init).joined(separator: ",") }

    static func alert(_ row: any SQLRow) throws -> Alert {
        let finding = Finding(
            rule: try row.enumeration("rule", as: RuleID.self),
            severity: try row.enumeration("severity", as: AlertSeverity.self),
            message: try row.text("message"),
            evidence: try row.text("evidence").split(separator: ",").compactMap { Int64($0) },
            at: try row.date("first_at"))
        var a = Alert(
            id: try row.uuid("id"), providerID: try row.uuid("provider_id"), merchantID: try row.uuid("merchant_id"),
            storeID: try row.uuid("store_id"), terminalID: try row.uuid("terminal_id"), finding: finding)
        a.status = try row.enumeration("status", as: AlertStatus.self)
        a.occurrences = Int(try row.int("occurrences"))
        a.lastAt = try row.date("last_at")
        a.acknowledgedAt = try row.optionalDate("acknowledged_at")
        a.acknowledgedBy = try row.optionalText("acknowledged_by")
        a.resolvedAt = try row.optionalDate("resolved_at")
        a.resolvedBy = try row.optionalText("resolved_by")
        a.resolution = try row.optionalText("resolution")
        a.falsePositive = try row.int("false_positive") != 0
        return a
    }
}
