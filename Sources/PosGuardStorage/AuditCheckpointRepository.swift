import Foundation
import PosGuardDomain
import SQLKit

/// The audit log's signed checkpoints, each with the right edge of the tree at its size, so the next one is made
/// from the entries added since. Two instances making the same checkpoint write it once.
public struct AuditCheckpointRepository: Sendable {
    public init() {}

    public struct Stored: Sendable {
        /// The signed note, as served.
        public var note: String
        public var size: Int
        public var frontier: String
    }

    public func insert(size: Int, note: String, frontier: MerkleFrontier, at now: Date, on work: UnitOfWork)
        async throws
    {
        try await work.sql.insert(into: "audit_checkpoints").columns("size", "note", "frontier", "created_at")
            .values(SQLBind(size), SQLBind(note), SQLBind(Self.text(frontier)), SQLBind(now.millis))
            .ignoringConflicts(with: "size").run()
    }

    /// The largest checkpoint, nil when none has been made.
    public func latest(on work: UnitOfWork) async throws -> (stored: Stored, frontier: MerkleFrontier?)? {
        try await work.sql.select().column("*").from("audit_checkpoints").orderBy("size", .descending).limit(1)
            .first().map(Self.stored)
    }

    /// The checkpoint of exactly this size, if one was made.
    public func checkpoint(size: Int, on work: UnitOfWork) async throws -> String? {
        try await work.sql.select().column("note").from("audit_checkpoints").where("size", .equal, size).first()?
            .text("note")
    }

    /// Every checkpoint's size and note.
    public func all(on work: UnitOfWork) async throws -> [(size: Int, note: String)] {
        try await work.sql.select().column("size").column("note").from("audit_checkpoints").all().map {
            (Int(try $0.int("size")), try $0.text("note"))
        }
    }

    static func stored(_ row: any SQLRow) throws -> (stored: Stored, frontier: MerkleFrontier?) {
        let stored = Stored(
            note: try row.text("note"), size: Int(try row.int("size")), frontier: try row.text("frontier"))
        let hashes = stored.frontier.split(separator: " ").map { TreeHash(hex: String($0)) }
        let frontier =
            hashes.contains(nil) ? nil : MerkleFrontier(size: stored.size, subtrees: hashes.compactMap { $0 })
        return (stored, frontier)
    }

    /// The frontier as stored: its subtree roots in hex, left to right, separated by spaces.
    static func text(_ frontier: MerkleFrontier) -> String { frontier.subtrees.map(\.hex).joined(separator: " ") }
}
