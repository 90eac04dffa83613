import Foundation
import PosGuardDomain
import PosGuardStorage

/// An incident's evidence and its chain of custody. Files are streamed to the evidence directory and kept
/// by their SHA-256; every upload, download, hand-over and deletion is a custody entry, a line on the
/// incident's timeline and an audit entry. Evidence of an open incident is never changed or deleted; once
/// the incident has been closed for the retention period a provider admin may delete a file, and its record
/// and custody stay. Police liaison officers granted the incident read and download, nothing more.
public struct EvidenceLocker: Sendable {
    /// What the uploader says about a file (the file itself is the request's body).
    public struct Draft: Sendable {
        public var fileName: String?
        public var mediaType: String?
        public var description: String?
        public var collectedBy: String?
        public var collectedAt: Date?
        public var place: String?

        public init(
            fileName: String? = nil, mediaType: String? = nil, description: String? = nil,
            collectedBy: String? = nil, collectedAt: Date? = nil, place: String? = nil
        ) {
            self.fileName = fileName
            self.mediaType = mediaType
            self.description = description
            self.collectedBy = collectedBy
            self.collectedAt = collectedAt
            self.place = place
        }
    }

    /// A hand-over of the evidence from one person to another.
    public struct Handover: Sendable, Decodable {
        public var from: String
        public var to: String
        public var purpose: String
    }

    let runtime: Runtime
    let desk: IncidentDesk
    public let settings: EvidenceSettings
    let evidence = EvidenceRepository()
    var files: EvidenceFiles { EvidenceFiles(directory: settings.directory) }
    var audit: AuditLog { AuditLog(runtime: runtime) }

    init(runtime: Runtime, desk: IncidentDesk, settings: EvidenceSettings) {
        self.runtime = runtime
        self.desk = desk
        self.settings = settings
    }

    // MARK: Upload

    /// Takes a file in as evidence of an open incident: the caller is checked before `body` is read, `body`
    /// streams the file into the intake (hashed on the way, never held in memory), and the record, its first
    /// custody entry, the timeline line and the audit entry are written in one unit. An empty file is refused
    /// (422), a file over the limit too (`EvidenceFiles.TooLarge`); neither leaves anything behind.
    public func upload(
        _ draft: Draft, to id: UUID, by caller: Caller, body: (EvidenceIntake) async throws -> Void
    ) async throws -> Evidence {
        var v = Validator()
        let fileName = v.text(draft.fileName.map(Evidence.uploadedName), "file_name", max: 255, required: false)
        let mediaType = v.text(draft.mediaType, "media_type", max: 200, required: false)
        v.check(mediaType.map(Self.isMediaType) ?? true, "media_type", "must be a media type such as image/jpeg")
        let description = v.text(draft.description, "description", max: 4000, required: false, multiline: true)
        let collectedBy = v.text(draft.collectedBy, "collected_by", max: 200, required: false)
        let place = v.text(draft.place, "place", max: 500, required: false)
        v.check(
            (draft.collectedAt ?? .distantPast) <= runtime.now().addingTimeInterval(300), "collected_at",
            "is in the future")
        try v.finish()
        _ = try await runtime.database.transaction {
            try await desk.changeable(id, by: caller, at: runtime.now(), on: $0)
        }
        let received = try await files.receive(limit: settings.maxBytes, body)
        do {
            guard received.size > 0 else { throw ValidationFailure([FieldError("body", "is empty: send the file")]) }
            return try await runtime.database.transaction { db in
                let now = runtime.now()
                let incident = try await desk.changeable(id, by: caller, at: now, on: db)
                let item = Evidence(
                    id: runtime.ids.next(), incidentID: id, providerID: incident.providerID,
                    fileName: Evidence.safeFileName(fileName.flatMap { $0.isEmpty ? nil : $0 } ?? "evidence"),
                    mediaType: mediaType.flatMap { $0.isEmpty ? nil : $0.lowercased() } ?? "application/octet-stream",
                    size: received.size, sha256: received.sha256, description: Self.present(description),
                    collectedBy: Self.present(collectedBy), collectedAt: draft.collectedAt, place: Self.present(place),
                    uploadedBy: caller.name, uploadedAt: now)
                try await evidence.insert(item, on: db)
                try await record(
                    .upload, of: item, in: incident, from: item.collectedBy ?? caller.name, to: CustodyEntry.store,
                    purpose: nil, by: caller, at: now, on: db)
                return item
            }
        } catch {
            await discard(received.sha256)
            throw error
        }
    }

    // MARK: Reading

    public func list(of id: UUID, by caller: Caller) async throws -> [Evidence] {
        try await runtime.database.transaction { db in
            _ = try await desk.readable(id, by: caller, at: runtime.now(), on: db)
            return try await evidence.list(of: id, on: db)
        }
    }

    public func find(_ evidenceID: UUID, of id: UUID, by caller: Caller) async throws -> Evidence {
        try await runtime.database.transaction { db in
            _ = try await desk.readable(id, by: caller, at: runtime.now(), on: db)
            return try await found(evidenceID, of: id, on: db)
        }
    }

    public func custody(of evidenceID: UUID, of id: UUID, by caller: Caller) async throws -> [CustodyEntry] {
        try await runtime.database.transaction { db in
            _ = try await desk.readable(id, by: caller, at: runtime.now(), on: db)
            _ = try await found(evidenceID, of: id, on: db)
            return try await evidence.custody(of: evidenceID, on: db)
        }
    }

    /// Hands the file out to the caller: the download is a custody entry (from the evidence store to the
    /// caller), written before the file's path is returned for streaming.
    public func download(_ evidenceID: UUID, of id: UUID, by caller: Caller) async throws -> (Evidence, URL) {
        try await runtime.database.transaction { db in
            let now = runtime.now()
            let incident = try await desk.readable(id, by: caller, at: now, on: db)
            let item = try await kept(evidenceID, of: id, on: db)
            try await record(
                .download, of: item, in: incident, from: CustodyEntry.store, to: caller.name, purpose: nil,
                by: caller, at: now, on: db)
            return (item, files.url(of: item.sha256))
        }
    }

    // MARK: Custody

    /// Records that the evidence passed from one person to another (on an open or a closed incident: custody
    /// goes on after the incident closes, to court and back).
    public func handOver(_ evidenceID: UUID, of id: UUID, _ handover: Handover, by caller: Caller) async throws
        -> CustodyEntry
    {
        var v = Validator()
        let from = v.text(handover.from, "from", max: 200) ?? ""
        let to = v.text(handover.to, "to", max: 200) ?? ""
        let purpose = v.text(handover.purpose, "purpose", max: 1000, multiline: true) ?? ""
        try v.finish()
        return try await runtime.database.transaction { db in
            let now = runtime.now()
            let incident = try await custodian(id, by: caller, at: now, on: db)
            let item = try await found(evidenceID, of: id, on: db)
            return try await record(
                .handover, of: item, in: incident, from: from, to: to, purpose: purpose, by: caller, at: now, on: db)
        }
    }

    /// Deletes a file once its retention period is over (provider admins only); its record and custody stay,
    /// with the deletion as the last custody entry.
    public func delete(_ evidenceID: UUID, of id: UUID, by caller: Caller) async throws {
        let sha256 = try await runtime.database.transaction { db in
            let now = runtime.now()
            let incident = try await custodian(id, by: caller, at: now, on: db)
            try caller.authorize(.deleteEvidence, at: now)
            let item = try await kept(evidenceID, of: id, on: db)
            if let refusal = Evidence.deletionRefusal(
                of: incident, retentionDays: settings.retentionDays, at: now)
            {
                throw ServiceError.conflict(field: nil, message: refusal)
            }
            guard try await evidence.markDeleted(evidenceID, by: caller.name, at: now, on: db) else {
                throw ServiceError.conflict(field: nil, message: "the file was deleted meanwhile")
            }
            try await record(
                .deletion, of: item, in: incident, from: CustodyEntry.store, to: nil,
                purpose: "retention period of \(settings.retentionDays) days over", by: caller, at: now, on: db)
            return item.sha256
        }
        await discard(sha256)
    }

    // MARK: Helpers

    /// The incident for a change of custody: in the caller's scope, the caller responds to incidents; police
    /// liaison officers are refused (the routes refuse them before the body is read, too).
    func custodian(_ id: UUID, by caller: Caller, at now: Date, on db: UnitOfWork) async throws -> Incident {
        let incident = try await desk.readable(id, by: caller, at: now, on: db)
        if caller.role == .policeLiaison {
            throw ServiceError.forbidden("police liaison access to an incident is read-only")
        }
        return incident
    }

    func found(_ evidenceID: UUID, of id: UUID, on db: UnitOfWork) async throws -> Evidence {
        guard let item = try await evidence.find(evidenceID, of: id, on: db) else {
            throw ServiceError.notFound("evidence")
        }
        return item
    }

    /// Evidence whose file is still kept.
    func kept(_ evidenceID: UUID, of id: UUID, on db: UnitOfWork) async throws -> Evidence {
        let item = try await found(evidenceID, of: id, on: db)
        if let deleted = item.deletedAt {
            throw ServiceError.conflict(
                field: nil, message: "the file was deleted after its retention period, at \(RFC3339.format(deleted))")
        }
        return item
    }

    /// Writes a custody entry, its line on the incident's timeline (kind `evidence`) and its audit entry.
    @discardableResult
    func record(
        _ action: CustodyEntry.Action, of item: Evidence, in incident: Incident, from: String?, to: String?,
        purpose: String?, by caller: Caller, at now: Date, on db: UnitOfWork
    ) async throws -> CustodyEntry {
        let entry = CustodyEntry(
            id: runtime.ids.next(), evidenceID: item.id, incidentID: incident.id, at: now, actor: caller.name,
            action: action, from: from, to: to, purpose: purpose)
        try await evidence.append(entry, on: db)
        try await desk.log(incident.id, "evidence", entry.text(about: item), by: caller, at: now, on: db)
        try await audit.record(
            caller, "evidence.\(action.rawValue)", target: "incident", id: incident.id, provider: incident.providerID,
            after: AuditedCustody(evidence: item, custody: entry), at: now, on: db)
        return entry
    }

    struct AuditedCustody: Encodable {
        var evidence: Evidence
        var custody: CustodyEntry
    }

    /// Deletes a file no kept evidence holds any more (a refused upload, a file past its retention period).
    func discard(_ sha256: String) async {
        let held = try? await runtime.database.withConnection { try await evidence.isKept(sha256: sha256, on: $0) }
        if held == false { files.remove(sha256) }
    }

    static func present(_ text: String?) -> String? { text.flatMap { $0.isEmpty ? nil : $0 } }

    /// `type/subtype`, of the characters RFC 6838 allows, parameters (`; charset=…`) aside.
    static func isMediaType(_ text: String) -> Bool {
        let essence = text.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let parts = essence.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "!#$&-^_.+"))
        return parts.count == 2
            && parts.allSatisfy { !$0.isEmpty && $0.unicodeScalars.allSatisfy { $0.isASCII && allowed.contains($0) } }
    }
}

extension PosGuard {
    /// The incidents' evidence, kept as `settings` say.
    public func evidence(_ settings: EvidenceSettings) -> EvidenceLocker {
        EvidenceLocker(runtime: runtime, desk: incidents, settings: settings)
    }
}
