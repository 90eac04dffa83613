import Foundation
import PosGuardDomain
import SQLKit

/// The event log, and the detection memory of each terminal and store saved alongside it.
public struct EventRepository: Sendable {
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .millisecondsSince1970
        return d
    }()

    public init() {}

    /// Appends events; one already stored (same terminal and number) is left as it was.
    public func insert(_ events: [StoredEvent], on work: UnitOfWork) async throws {
        for start in stride(from: 0, to: events.count, by: TerminalRepository.batchSize) {
            let rows = events[start..<min(start + TerminalRepository.batchSize, events.count)]
            try await work.rawRun(
                Self.insert(
                    into: "events", columns: ["terminal_id", "seq", "type", "at", "received_at", "body"],
                    rows: rows.count, then: #"ON CONFLICT ("terminal_id", "seq") DO NOTHING"#),
                binds: rows.flatMap { e -> [RawValue] in
                    [
                        .text(e.terminalID.key), .integer(e.seq), .text(e.type), .integer(e.at.millis),
                        .integer(e.receivedAt.millis), .text(e.body),
                    ]
                })
        }
    }

    /// `INSERT INTO table (columns) VALUES (?, …), … then`, for `rawRun`.
    static func insert(into table: String, columns: [String], rows: Int, then: String) -> String {
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        return #"INSERT INTO "\#(table)" ("# + columns.map { #""\#($0)""# }.joined(separator: ", ") + ") VALUES "
            + Array(repeating: row, count: rows).joined(separator: ", ") + " " + then
    }

    /// A terminal's events after `seq`, oldest first.
    public func events(of terminal: UUID, after seq: Int64, limit: Int, in scope: Scope, on work: UnitOfWork)
        async throws -> [StoredEvent]
    {
        try await work.sql.select().column("*").from("events").where("terminal_id", .equal, terminal.key)
            .scoped(scope, through: "terminal_id", of: "terminals", .terminals)
            .where("seq", .greaterThan, seq).orderBy("seq").limit(limit).all().map(Self.event)
    }

    /// A terminal's last `limit` events, newest first.
    public func latest(of terminal: UUID, limit: Int, in scope: Scope, on work: UnitOfWork) async throws
        -> [StoredEvent]
    {
        try await work.sql.select().column("*").from("events").where("terminal_id", .equal, terminal.key)
            .scoped(scope, through: "terminal_id", of: "terminals", .terminals)
            .orderBy("seq", .descending).limit(limit).all().map(Self.event)
    }

    static func event(_ row: any SQLRow) throws -> StoredEvent {
        StoredEvent(
            terminalID: try row.uuid("terminal_id"), seq: try row.int("seq"), type: try row.text("type"),
            at: try row.date("at"), receivedAt: try row.date("received_at"), body: try row.text("body"))
    }

    /// A terminal's events of one type that happened from `since` on, oldest first, at most `limit`.
    public func events(
        of terminal: UUID, type: String, since: Date, limit: Int, in scope: Scope, on work: UnitOfWork
    ) async throws -> [StoredEvent] {
        try await work.sql.select().column("*").from("events").where("terminal_id", .equal, terminal.key)
            .scoped(scope, through: "terminal_id", of: "terminals", .terminals)
            .where("type", .equal, type).where("at", .greaterThanOrEqual, since.millis).orderBy("at").orderBy("seq")
            .limit(limit).all().map(Self.event)
    }

    public func saveWatch(_ watch: TerminalWatch, of terminal: UUID, at now: Date, on work: UnitOfWork) async throws {
        try await saveWatches([(terminal, try Self.encoded(watch))], at: now, on: work)
    }

    /// Every terminal's saved detection memory, to resume after a restart (read by hand: `TerminalWatch(json:)`).
    public func allWatches(on work: UnitOfWork) async throws -> [UUID: TerminalWatch] {
        try await all(in: "terminal_watch", key: "terminal_id", on: work, read: TerminalWatch.init(json:))
    }

    public func saveStoreWatch(_ watch: StoreWatch, of store: UUID, at now: Date, on work: UnitOfWork) async throws {
        try await saveStoreWatches([(store, try Self.encoded(watch))], at: now, on: work)
    }

    /// Every store's saved detection memory, to resume after a restart.
    public func allStoreWatches(on work: UnitOfWork) async throws -> [UUID: StoreWatch] {
        try await all(in: "store_watch", key: "store_id", on: work) {
            try Self.decoder.decode(StoreWatch.self, from: Data($0.utf8))
        }
    }

    /// A watch as it is saved: JSON, with dates as milliseconds since 1970.
    public static func encoded(_ watch: some Encodable) throws -> String {
        try CompactJSONEncoder().encode(watch)
    }

    /// A terminal's watch, saved with every batch, is written by hand (`TerminalWatch.json()`).
    public static func encoded(_ watch: TerminalWatch) throws -> String { try watch.json() }

    /// Saves already encoded terminal watches, several in a statement.
    public func saveWatches(_ watches: [(UUID, String)], at now: Date, on work: UnitOfWork) async throws {
        try await save(watches, in: "terminal_watch", key: "terminal_id", at: now, on: work)
    }

    /// Saves already encoded store watches, several in a statement.
    public func saveStoreWatches(_ watches: [(UUID, String)], at now: Date, on work: UnitOfWork) async throws {
        try await save(watches, in: "store_watch", key: "store_id", at: now, on: work)
    }

    /// Detection memory is kept as JSON, one row per owner (terminal or store), replaced on every save.
    private func save(_ states: [(UUID, String)], in table: String, key: String, at now: Date, on work: UnitOfWork)
        async throws
    {
        for start in stride(from: 0, to: states.count, by: TerminalRepository.batchSize) {
            let rows = states[start..<min(start + TerminalRepository.batchSize, states.count)]
            try await work.rawRun(
                Self.insert(
                    into: table, columns: [key, "state", "updated_at"], rows: rows.count,
                    then: #"ON CONFLICT ("\#(key)") DO UPDATE SET "state" = excluded."state", "#
                        + #""updated_at" = excluded."updated_at""#),
                binds: rows.flatMap { owner, state -> [RawValue] in
                    [.text(owner.key), .text(state), .integer(now.millis)]
                })
        }
    }

    /// Every saved memory of the table, read on every core: a start reads every terminal's.
    private func all<Watch: Sendable>(
        in table: String, key: String, on work: UnitOfWork, read: @escaping @Sendable (String) throws -> Watch
    ) async throws -> [UUID: Watch] {
        let rows = try await work.sql.select().columns(key, "state").from(table).all().map {
            (try $0.text(key), try $0.text("state"))
        }
        let part = max(1_000, rows.count / (4 * ProcessInfo.processInfo.activeProcessorCount) + 1)
        return try await withThrowingTaskGroup(of: [(UUID, Watch)].self) { group in
            for start in stride(from: 0, to: rows.count, by: part) {
                let chunk = rows[start..<min(start + part, rows.count)]
                group.addTask {
                    try chunk.map { owner, state in
                        guard let id = UUID(text: owner) else { throw CorruptRow(column: key) }
                        return (id, try read(state))
                    }
                }
            }
            var watches: [UUID: Watch] = [:]
            watches.reserveCapacity(rows.count)
            for try await read in group {
                for (id, watch) in read { watches[id] = watch }
            }
            return watches
        }
    }
}
