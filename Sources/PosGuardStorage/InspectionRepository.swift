import Foundation
import PosGuardDomain
import SQLKit

/// The inspections of recovered terminals, with their checklists and who signed them off.
public struct InspectionRepository: Sendable {
    public init() {}

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = JSONKeys.encoding
        e.outputFormatting = .sortedKeys
        return e
    }()
    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = JSONKeys.decoding
        return d
    }()

    public func insert(_ i: TerminalInspection, on work: UnitOfWork) async throws {
        let checklist = String(decoding: try Self.encoder.encode(i.checklist), as: UTF8.self)
        try await work.sql.insert(into: "terminal_inspections")
            .columns(
                "id", "terminal_id", "checklist", "expected_firmware", "failures", "notes", "inspected_by",
                "inspected_at"
            )
            .values(
                SQLBind(i.id.key), SQLBind(i.terminalID.key), SQLBind(checklist), SQLBind(i.expectedFirmware),
                SQLBind(i.failures.joined(separator: ",")), SQLBind(i.notes), SQLBind(i.inspectedBy),
                SQLBind(i.inspectedAt.millis)
            ).run()
    }

    /// The latest inspection of a terminal the caller has already found.
    public func latest(of terminal: UUID, on work: UnitOfWork) async throws -> TerminalInspection? {
        guard
            let row = try await work.sql.select().column("*").from("terminal_inspections")
                .where("terminal_id", .equal, terminal.key).orderBy("inspected_at", .descending)
                .orderBy("id", .descending).limit(1).first()
        else { return nil }
        var inspection = TerminalInspection(
            id: try row.uuid("id"), terminalID: try row.uuid("terminal_id"),
            checklist: try Self.decoder.decode(
                TerminalInspection.Checklist.self, from: Data(try row.text("checklist").utf8)),
            expectedFirmware: try row.optionalText("expected_firmware"), notes: try row.optionalText("notes"),
            inspectedBy: try row.text("inspected_by"), inspectedAt: try row.date("inspected_at"))
        // The verdict as it was signed off, even if the registry's firmware changes later.
        inspection.failures = try row.text("failures").split(separator: ",").map(String.init)
        return inspection
    }
}
