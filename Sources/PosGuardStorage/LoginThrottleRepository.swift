import Foundation
import PosGuardDomain
import SQLKit

/// The sign-in throttle's records (failures per account and per source address) and the addresses each
/// account signed in from, in the database so that every instance counts the same attempts.
public struct LoginThrottleRepository: Sendable {
    public init() {}

    /// The records under `keys`, each locked until the unit of work ends (PostgreSQL's `FOR UPDATE`; SQLite
    /// has one writer), so that concurrent attempts on any instance are counted one after another.
    public func lock(_ keys: [String], on work: UnitOfWork) async throws -> [String: LoginThrottle] {
        let keys = Array(Set(keys)).sorted()
        guard !keys.isEmpty else { return [:] }
        var insert = work.sql.insert(into: "login_throttles").columns("key", "failures", "last_failure")
        for key in keys { insert = insert.values(SQLBind(key), SQLBind(Int64(0)), SQLLiteral.null) }
        try await insert.ignoringConflicts(with: ["key"]).run()
        var records: [String: LoginThrottle] = [:]
        for row in try await work.sql.select().columns("key", "failures", "last_failure").from("login_throttles")
            .where(SQLColumn("key"), .in, SQLBind.group(keys)).orderBy("key").for(.update).all()
        {
            records[try row.text("key")] = LoginThrottle(
                failures: Int(try row.int("failures")), lastFailure: try row.optionalDate("last_failure"))
        }
        return records
    }

    public func save(_ records: [String: LoginThrottle], on work: UnitOfWork) async throws {
        for (key, record) in records.sorted(by: { $0.key < $1.key }) {
            try await work.sql.update("login_throttles").set("failures", to: Int64(record.failures))
                .set("last_failure", to: record.lastFailure?.millis).where("key", .equal, key).run()
        }
    }

    /// When the account last signed in from the address, if it has.
    public func known(account: String, address: String, on work: UnitOfWork) async throws -> Date? {
        try await work.sql.select().column("at").from("login_known").where("account", .equal, account)
            .where("address", .equal, address).first()?.date("at")
    }

    public func setKnown(account: String, address: String, at now: Date, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "login_known").columns("account", "address", "at")
            .values(SQLBind(account), SQLBind(address), SQLBind(now.millis))
            .onConflict(with: ["account", "address"]) { $0.set(excludedValueOf: "at") }.run()
    }

    /// Forgets failures last seen before `failures` and sign-ins from an address before `known`.
    public func prune(failures: Date, known: Date, on work: UnitOfWork) async throws {
        try await work.sql.delete(from: "login_throttles").where("last_failure", .lessThan, failures.millis)
            .orWhere("last_failure", .is, SQLLiteral.null).run()
        try await work.sql.delete(from: "login_known").where("at", .lessThan, known.millis).run()
    }
}
