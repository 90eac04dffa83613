import Foundation
import PosGuardDomain
import SQLKit

/// The terminal registry and each terminal's lifecycle history, read and written only inside a scope.
public struct TerminalRepository: Sendable {
    /// Rows per multi-row INSERT: well under both dialects' limits on bound parameters.
    static let batchSize = 500

    static let columns = [
        "id", "provider_id", "merchant_id", "store_id", "make", "model", "serial", "tid", "mid", "firmware_version",
        "app_version", "iccid", "state", "created_at", "updated_at",
    ]

    public init() {}

    /// Adds terminals, many rows per statement. The change recorded is their stores': a large import reloads
    /// a few stores, not the whole instance.
    public func insert(_ terminals: [Terminal], on work: UnitOfWork) async throws {
        for start in stride(from: 0, to: terminals.count, by: Self.batchSize) {
            var insert = work.sql.insert(into: "terminals").columns(Self.columns)
            for t in terminals[start..<min(start + Self.batchSize, terminals.count)] {
                insert = insert.values(Self.values(t))
            }
            try await insert.run()
        }
        var stores: Set<UUID> = []
        for t in terminals where stores.insert(t.storeID).inserted { work.changed(.store(t.storeID)) }
    }

    /// Saves a terminal's details and store, leaving its state to `move`.
    public func updateDetails(_ t: Terminal, on work: UnitOfWork) async throws {
        try await work.sql.update("terminals")
            .set("merchant_id", to: t.merchantID.key).set("store_id", to: t.storeID.key)
            .set("make", to: t.make).set("model", to: t.model).set("serial", to: t.serial).set("tid", to: t.tid)
            .set("mid", to: t.mid).set("firmware_version", to: t.firmwareVersion).set("app_version", to: t.appVersion)
            .set("iccid", to: t.iccid).set("updated_at", to: t.updatedAt.millis)
            .where("id", .equal, t.id.key).run()
        work.changed(.terminal(t.id))
    }

    /// Gives a terminal registered without a SIM the ICCID it reported first (trust on first use); a
    /// terminal that has one keeps it.
    public func adoptICCID(_ iccid: String, of id: UUID, at now: Date, on work: UnitOfWork) async throws {
        let adopted = try await work.sql.update("terminals").set("iccid", to: iccid).set("updated_at", to: now.millis)
            .where("id", .equal, id.key).where(SQLColumn("iccid"), .is, SQLLiteral.null).returning("id").all()
        if !adopted.isEmpty { work.changed(.terminal(id)) }
    }

    /// Moves a terminal from `from` to `to`, only if it is still in `from`; false when another unit moved it
    /// first (the caller decided on a state that is no longer current).
    public func move(_ id: UUID, from: TerminalState, to: TerminalState, at now: Date, on work: UnitOfWork)
        async throws -> Bool
    {
        let moved = try await work.sql.update("terminals").set("state", to: to.rawValue).set(
            "updated_at", to: now.millis
        )
        .where("id", .equal, id.key).where("state", .equal, from.rawValue).returning("id").all()
        guard !moved.isEmpty else { return false }
        work.changed(.terminal(id))
        return true
    }

    /// The terminal with this id, if it is inside the scope.
    public func find(_ id: UUID, in scope: Scope, on work: UnitOfWork) async throws -> Terminal? {
        try await work.sql.select().column("*").from("terminals").where("id", .equal, id.key).scoped(scope, .terminals)
            .first().map(Self.terminal)
    }

    /// The terminals with these ids, by id, whatever their provider: for requests that arrive without a user
    /// (agents), which act in their own terminal's provider.
    public func find(_ ids: [UUID], on work: UnitOfWork) async throws -> [UUID: Terminal] {
        Dictionary(
            try await work.rows(of: "terminals", in: ids).map { row in try Self.terminal(row) }.map { ($0.id, $0) },
            uniquingKeysWith: { first, _ in first })
    }

    /// Every terminal's store, by terminal.
    public func stores(on work: UnitOfWork) async throws -> [UUID: UUID] {
        var stores: [UUID: UUID] = [:]
        for row in try await work.sql.select().columns("id", "store_id").from("terminals").all() {
            stores[try row.uuid("id")] = try row.uuid("store_id")
        }
        return stores
    }

    /// The provider a terminal belongs to: for requests that arrive without a user (agents), to find the
    /// scope they act in.
    public func providerID(of id: UUID, on work: UnitOfWork) async throws -> UUID? {
        try await work.sql.select().column("provider_id").from("terminals").where("id", .equal, id.key).first()?.uuid(
            "provider_id")
    }

    /// A page of the terminals inside the scope that match the filter, in registration order.
    public func list(
        in scope: Scope, filter: TerminalFilter, after cursor: Cursor?, limit: Int, on work: UnitOfWork
    ) async throws -> Page<Terminal> {
        var query = work.sql.select().column("*").from("terminals").scoped(scope, .terminals)
        if let state = filter.state { query = query.where("state", .equal, state.rawValue) }
        if let store = filter.storeID { query = query.where("store_id", .equal, store.key) }
        if let merchant = filter.merchantID { query = query.where("merchant_id", .equal, merchant.key) }
        if let search = filter.search {
            // A prefix, its LIKE wildcards taken literally.
            let pattern =
                search.uppercased().replacingOccurrences(of: "!", with: "!!").replacingOccurrences(of: "%", with: "!%")
                .replacingOccurrences(of: "_", with: "!_") + "%"
            let like: SQLQueryString = "LIKE \(bind: pattern) ESCAPE '!'"
            query = query.where(
                SQLQueryString("(UPPER(tid) \(like) OR UPPER(serial) \(like) OR UPPER(mid) \(like))"))
        }
        let rows = try await query.page(after: cursor, limit: limit).all()
        return Page(fetched: try rows.map(Self.terminal), limit: limit, id: \.id)
    }

    /// How many terminals are in each state, in scope, or across the whole instance (for metrics) without one.
    public func countByState(in scope: Scope? = nil, on work: UnitOfWork) async throws -> [TerminalState: Int] {
        var query = work.sql.select().column("state").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("terminals")
        if let scope { query = query.scoped(scope, .terminals) }
        let rows = try await query.groupBy("state").all()
        var counts: [TerminalState: Int] = [:]
        for row in rows { counts[try row.enumeration("state", as: TerminalState.self)] = Int(try row.int("n")) }
        return counts
    }

    /// Of the given `(make, serial)` pairs, those already registered by the provider. Makes are compared
    /// without regard to case. Other providers' registries are never consulted: what they hold is theirs.
    public func registeredSerials(
        _ pairs: [(make: String, serial: String)], provider: UUID, excluding: UUID? = nil, on work: UnitOfWork
    )
        async throws -> Set<SerialKey>
    {
        var found: Set<SerialKey> = []
        let wanted = Set(pairs.map { SerialKey(make: $0.make, serial: $0.serial) })
        let serials = Array(Set(pairs.map(\.serial)))
        for start in stride(from: 0, to: serials.count, by: Self.batchSize) {
            var query = work.sql.select().columns("id", "make", "serial").from("terminals")
                .where("provider_id", .equal, provider.key)
                .where(
                    SQLColumn("serial"), .in,
                    SQLBind.group(Array(serials[start..<min(start + Self.batchSize, serials.count)])))
            if let excluding { query = query.where("id", .notEqual, excluding.key) }
            for row in try await query.all() {
                let key = SerialKey(make: try row.text("make"), serial: try row.text("serial"))
                if wanted.contains(key) { found.insert(key) }
            }
        }
        return found
    }

    /// Of the given TIDs, those already used by another terminal of the provider.
    public func registeredTIDs(_ tids: [String], provider: UUID, excluding: UUID? = nil, on work: UnitOfWork)
        async throws -> Set<String>
    {
        var found: Set<String> = []
        let unique = Array(Set(tids))
        for start in stride(from: 0, to: unique.count, by: Self.batchSize) {
            var query = work.sql.select().column("tid").from("terminals").where("provider_id", .equal, provider.key)
                .where(
                    SQLColumn("tid"), .in,
                    SQLBind.group(Array(unique[start..<min(start + Self.batchSize, unique.count)])))
            if let excluding { query = query.where("id", .notEqual, excluding.key) }
            for row in try await query.all() { found.insert(try row.text("tid")) }
        }
        return found
    }

    /// Records moves of terminals' lifecycles.
    public func insert(_ transitions: [TerminalTransition], on work: UnitOfWork) async throws {
        for start in stride(from: 0, to: transitions.count, by: Self.batchSize) {
            var insert = work.sql.insert(into: "terminal_transitions")
                .columns("id", "terminal_id", "from_state", "to_state", "at", "actor_id", "actor", "reason")
            for t in transitions[start..<min(start + Self.batchSize, transitions.count)] {
                insert = insert.values(
                    SQLBind(t.id.key), SQLBind(t.terminalID.key), SQLBind(t.from?.rawValue), SQLBind(t.to.rawValue),
                    SQLBind(t.at.millis), SQLBind(t.actorID?.key), SQLBind(t.actor), SQLBind(t.reason))
            }
            try await insert.run()
        }
    }

    /// A terminal's lifecycle history, oldest first; nothing when the terminal is outside the scope.
    public func history(of terminal: UUID, in scope: Scope, on work: UnitOfWork) async throws -> [TerminalTransition] {
        try await work.sql.select().column("*").from("terminal_transitions").where("terminal_id", .equal, terminal.key)
            .scoped(scope, through: "terminal_id", of: "terminals", .terminals).orderBy("id").all().map { row in
                TerminalTransition(
                    id: try row.uuid("id"), terminalID: try row.uuid("terminal_id"),
                    from: try row.optionalText("from_state").flatMap(TerminalState.init(rawValue:)),
                    to: try row.enumeration("to_state", as: TerminalState.self), at: try row.date("at"),
                    actorID: try row.optionalUUID("actor_id"), actor: try row.text("actor"),
                    reason: try row.text("reason"))
            }
    }

    static func values(_ t: Terminal) -> [any SQLExpression] {
        [
            SQLBind(t.id.key), SQLBind(t.providerID.key), SQLBind(t.merchantID.key), SQLBind(t.storeID.key),
            SQLBind(t.make), SQLBind(t.model), SQLBind(t.serial), SQLBind(t.tid), SQLBind(t.mid),
            SQLBind(t.firmwareVersion), SQLBind(t.appVersion), SQLBind(t.iccid), SQLBind(t.state.rawValue),
            SQLBind(t.createdAt.millis),
            SQLBind(t.updatedAt.millis),
        ]
    }

    static func terminal(_ row: any SQLRow) throws -> Terminal {
        Terminal(
            id: try row.uuid("id"), providerID: try row.uuid("provider_id"), merchantID: try row.uuid("merchant_id"),
            storeID: try row.uuid("store_id"), make: try row.text("make"), model: try row.text("model"),
            serial: try row.text("serial"), tid: try row.text("tid"), mid: try row.text("mid"),
            firmwareVersion: try row.optionalText("firmware_version"), appVersion: try row.optionalText("app_version"),
            iccid: try row.optionalText("iccid"),
            state: try row.enumeration("state", as: TerminalState.self), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }
}

/// A device's identity as its maker knows it; the make is compared without regard to case.
public struct SerialKey: Hashable, Sendable {
    public var make: String
    public var serial: String

    public init(make: String, serial: String) {
        self.make = make.lowercased()
        self.serial = serial
    }
}

extension UnitOfWork {
    /// The rows of `table` (all their columns, or `columns`) whose `column` holds one of `ids`, read a
    /// statement per few hundred ids.
    func rows(of table: String, columns: [String]? = nil, where column: String = "id", in ids: [UUID])
        async throws -> [any SQLRow]
    {
        var rows: [any SQLRow] = []
        for start in stride(from: 0, to: ids.count, by: TerminalRepository.batchSize) {
            let some = ids[start..<min(start + TerminalRepository.batchSize, ids.count)]
            let selected: [any SQLExpression] = columns?.map { SQLColumn($0) } ?? [SQLLiteral.all]
            rows += try await sql.select().columns(selected).from(table)
                .where(SQLColumn(column), .in, SQLBind.group(some.map(\.key))).all()
        }
        return rows
    }
}
