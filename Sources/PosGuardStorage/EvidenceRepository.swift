import Foundation
import PosGuardDomain
import SQLKit

/// An incident's evidence records and their chains of custody. Read only for an incident the caller has
/// already found in their scope (or been granted): the incident is the unit of access.
public struct EvidenceRepository: Sendable {
    public init() {}

    public func insert(_ e: Evidence, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "incident_evidence")
            .columns(
                "id", "incident_id", "provider_id", "file_name", "media_type", "size", "sha256", "description",
                "collected_by", "collected_at", "place", "uploaded_by", "uploaded_at"
            )
            .values(
                SQLBind(e.id.key), SQLBind(e.incidentID.key), SQLBind(e.providerID.key), SQLBind(e.fileName),
                SQLBind(e.mediaType), SQLBind(e.size), SQLBind(e.sha256), SQLBind(e.description),
                SQLBind(e.collectedBy), SQLBind(e.collectedAt?.millis), SQLBind(e.place), SQLBind(e.uploadedBy),
                SQLBind(e.uploadedAt.millis)
            ).run()
    }

    /// The evidence of an incident, oldest first.
    public func list(of incident: UUID, on work: UnitOfWork) async throws -> [Evidence] {
        try await work.sql.select().column("*").from("incident_evidence").where("incident_id", .equal, incident.key)
            .orderBy("id").all().map(Self.evidence)
    }

    /// One piece of evidence of an incident.
    public func find(_ id: UUID, of incident: UUID, on work: UnitOfWork) async throws -> Evidence? {
        try await work.sql.select().column("*").from("incident_evidence").where("id", .equal, id.key)
            .where("incident_id", .equal, incident.key).first().map(Self.evidence)
    }

    /// Records that the file was deleted, only once; false when it already was.
    public func markDeleted(_ id: UUID, by actor: String, at now: Date, on work: UnitOfWork) async throws -> Bool {
        try await !work.sql.update("incident_evidence").set("deleted_at", to: now.millis).set("deleted_by", to: actor)
            .where("id", .equal, id.key).where(SQLColumn("deleted_at"), .is, SQLLiteral.null)
            .returning("id").all().isEmpty
    }

    /// Whether any evidence whose file was not deleted still has this content (files are shared by hash).
    public func isKept(sha256: String, on work: UnitOfWork) async throws -> Bool {
        try await work.sql.select().column("id").from("incident_evidence").where("sha256", .equal, sha256)
            .where(SQLColumn("deleted_at"), .is, SQLLiteral.null).limit(1).first() != nil
    }

    // MARK: Custody

    public func append(_ entry: CustodyEntry, on work: UnitOfWork) async throws {
        try await work.sql.insert(into: "evidence_custody")
            .columns("id", "evidence_id", "incident_id", "at", "actor", "action", "from_holder", "to_holder", "purpose")
            .values(
                SQLBind(entry.id.key), SQLBind(entry.evidenceID.key), SQLBind(entry.incidentID.key),
                SQLBind(entry.at.millis), SQLBind(entry.actor), SQLBind(entry.action.rawValue), SQLBind(entry.from),
                SQLBind(entry.to), SQLBind(entry.purpose)
            ).run()
    }

    /// The chain of custody of one piece of evidence, oldest first.
    public func custody(of evidence: UUID, on work: UnitOfWork) async throws -> [CustodyEntry] {
        try await work.sql.select().column("*").from("evidence_custody").where("evidence_id", .equal, evidence.key)
            .orderBy("id").all().map(Self.custody)
    }

    /// Every custody entry of an incident's evidence, oldest first.
    public func custody(ofIncident incident: UUID, on work: UnitOfWork) async throws -> [CustodyEntry] {
        try await work.sql.select().column("*").from("evidence_custody").where("incident_id", .equal, incident.key)
            .orderBy("id").all().map(Self.custody)
    }

    static func evidence(_ row: any SQLRow) throws -> Evidence {
        var e = Evidence(
            id: try row.uuid("id"), incidentID: try row.uuid("incident_id"), providerID: try row.uuid("provider_id"),
            fileName: try row.text("file_name"), mediaType: try row.text("media_type"), size: try row.int("size"),
            sha256: try row.text("sha256"), description: try row.optionalText("description"),
            collectedBy: try row.optionalText("collected_by"), collectedAt: try row.optionalDate("collected_at"),
            place: try row.optionalText("place"), uploadedBy: try row.text("uploaded_by"),
            uploadedAt: try row.date("uploaded_at"))
        e.deletedAt = try row.optionalDate("deleted_at")
        e.deletedBy = try row.optionalText("deleted_by")
        return e
    }

    static func custody(_ row: any SQLRow) throws -> CustodyEntry {
        CustodyEntry(
            id: try row.uuid("id"), evidenceID: try row.uuid("evidence_id"), incidentID: try row.uuid("incident_id"),
            at: try row.date("at"), actor: try row.text("actor"),
            action: try row.enumeration("action", as: CustodyEntry.Action.self),
            from: try row.optionalText("from_holder"), to: try row.optionalText("to_holder"),
            purpose: try row.optionalText("purpose"))
    }
}
