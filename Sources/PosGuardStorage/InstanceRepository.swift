import Foundation
import PostgresNIO
import SQLKit

/// The instances sharing one PostgreSQL, and the slots of detection's memory each holds. A slot is held
/// through a session advisory lock on the connection the holder keeps for it — released by PostgreSQL the
/// moment that instance's connection ends, however it ends — and written down here so that the others
/// know where to send a terminal's requests.
public struct InstanceRepository: Sendable {
    public struct Instance: Sendable, Equatable {
        public var id: String
        public var address: String

        public init(id: String, address: String) {
            self.id = id
            self.address = address
        }
    }

    /// The advisory lock key of a slot.
    static func lockKey(_ slot: Int) -> Int64 { 8_583_100_000 + Int64(slot) }

    public init() {}

    /// Says the instance is alive, at `address`.
    public func heartbeat(_ instance: Instance, at now: Date, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "instances").columns("id", "address", "started_at", "seen_at")
            .values(SQLBind(instance.id), SQLBind(instance.address), SQLBind(now.millis), SQLBind(now.millis))
            .onConflict(with: ["id"]) { $0.set(excludedValueOf: "address").set(excludedValueOf: "seen_at") }.run()
    }

    /// Names `work`'s connection, the one holding the instance's locks, after the instance: while PostgreSQL
    /// keeps that session the instance is alive; the moment the session ends (the process died, however) it
    /// is not, without waiting for its heartbeat to age. A statement on it waits at most a second for a lock.
    public func identify(_ instance: String, on work: UnitOfWork) async throws {
        try await work.sql.raw(
            """
            SELECT set_config('application_name', \(bind: Self.session(of: instance)), false),
            set_config('lock_timeout', '1s', false)
            """
        ).run()
    }

    static func session(of instance: String) -> String { "posguard " + instance }

    /// The instances heard from since `since` whose session (see `identify`) is open.
    public func live(since: Date, on work: UnitOfWork) async throws -> [Instance] {
        try await work.sql.raw(
            """
            SELECT id, address FROM instances WHERE seen_at >= \(bind: since.millis)
            AND \(literal: Self.session(of: "")) || id IN (SELECT application_name FROM pg_stat_activity)
            ORDER BY id
            """
        ).all()
            .map { Instance(id: try $0.text("id"), address: try $0.text("address")) }
    }

    /// Ends the sessions of instances not heard from since `since` that PostgreSQL still keeps open — a process
    /// that hangs, or a machine gone without closing its connection — so that their locks go and their slots
    /// can be taken. Returns how many were ended.
    @discardableResult
    public func evict(silentSince since: Date, on work: UnitOfWork) async throws -> Int {
        try await work.sql.raw(
            """
            SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name IN
            (SELECT \(literal: Self.session(of: "")) || id FROM instances WHERE seen_at < \(bind: since.millis))
            """
        ).all().count
    }

    /// Who holds each slot, as last written down, with their addresses.
    public func owners(on work: UnitOfWork) async throws -> [Int: Instance] {
        var owners: [Int: Instance] = [:]
        for row in try await work.sql.select().column(SQLColumn("slot", table: "s"))
            .column(SQLColumn("id", table: "i")).column(SQLColumn("address", table: "i"))
            .from(SQLAlias(SQLIdentifier("slot_owners"), as: SQLIdentifier("s")))
            .join(
                SQLAlias(SQLIdentifier("instances"), as: SQLIdentifier("i")), method: SQLJoinMethod.inner,
                on: SQLColumn("id", table: "i"), .equal, SQLColumn("instance_id", table: "s")
            ).all()
        {
            owners[Int(try row.int("slot"))] = Instance(id: try row.text("id"), address: try row.text("address"))
        }
        return owners
    }

    /// Takes the slot's advisory lock if nobody holds it; on success writes the instance down as its owner.
    /// The lock belongs to `work`'s connection, which must stay open as long as the slot is held.
    public func take(slot: Int, for instance: String, at now: Date, on work: UnitOfWork) async throws -> Bool {
        let row = try await work.sql.raw(
            "SELECT pg_try_advisory_lock(\(bind: Self.lockKey(slot))) AS taken"
        ).first()
        guard try row?.decode(column: "taken", as: Bool.self) == true else { return false }
        do {
            // Waits for a commit of the last holder that is fencing on the row (see `held`) — but not for long
            // (`identify` sets the lock timeout) on one that hangs: then the slot is left for a later round.
            try await work.sql.insert(into: "slot_owners").columns("slot", "instance_id", "since")
                .values(SQLBind(Int64(slot)), SQLBind(instance), SQLBind(now.millis))
                .onConflict(with: ["slot"]) { $0.set(excludedValueOf: "instance_id").set(excludedValueOf: "since") }
                .run()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "55P03" {
            try await work.sql.raw("SELECT pg_advisory_unlock(\(bind: Self.lockKey(slot)))").run()
            return false
        }
        return true
    }

    /// Which of `slots` are written down as held by `instance`, their rows locked until `work`'s transaction
    /// ends: an instance taking one of them meanwhile waits for that transaction before it writes itself down.
    public func held(_ slots: Set<Int>, by instance: String, on work: UnitOfWork) async throws -> Set<Int> {
        guard !slots.isEmpty else { return [] }
        return Set(
            try await work.sql.select().column("slot").from("slot_owners")
                .where("instance_id", .equal, instance).where("slot", .in, slots.sorted().map(Int64.init))
                .lockingClause(SQLLockingClause.share).all()
                .map { Int(try $0.int("slot")) })
    }

    /// Lets go of a slot taken on `work`'s connection.
    public func release(slot: Int, for instance: String, on work: UnitOfWork) async throws {
        try await work.sql.delete(from: "slot_owners").where("slot", .equal, Int64(slot))
            .where("instance_id", .equal, instance).run()
        try await work.sql.raw("SELECT pg_advisory_unlock(\(bind: Self.lockKey(slot)))").run()
    }

    /// Removes an instance that stopped, and those not heard from since `stale`.
    public func forget(_ instance: String, staleBefore stale: Date, on work: UnitOfWork) async throws {
        try await work.sql.delete(from: "instances").where("id", .equal, instance)
            .orWhere("seen_at", .lessThan, stale.millis).run()
    }
}
