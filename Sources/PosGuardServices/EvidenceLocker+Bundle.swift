import Foundation
import PosGuardDomain
import PosGuardStorage

extension EvidenceLocker {
    /// Builds the incident's evidence bundle in a temporary file and returns its location (the caller sends
    /// it and deletes it). Every file that goes in is handed out to the caller: a custody entry each, before
    /// the manifest is made, so the bundle's own custody shows it.
    public func bundle(of id: UUID, by caller: Caller) async throws -> URL {
        let (incident, items) = try await runtime.database.transaction { db in
            let now = runtime.now()
            let incident = try await desk.readable(id, by: caller, at: now, on: db)
            let items = try await evidence.list(of: id, on: db)
            for item in items where item.deletedAt == nil {
                try await record(
                    .download, of: item, in: incident, from: CustodyEntry.store, to: caller.name,
                    purpose: "evidence bundle", by: caller, at: now, on: db)
            }
            return (incident, items)
        }
        let timeline = try await desk.timeline(id, by: caller)
        let custody = try await runtime.database.withConnection { try await evidence.custody(ofIncident: id, on: $0) }
        let url = try files.temporaryURL(".zip")
        do {
            try EvidenceBundle.write(
                to: url, incident: incident, evidence: items, timeline: timeline, custody: custody, files: files,
                key: runtime.secrets.evidenceBundleKey, createdBy: caller.name, at: runtime.now())
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
        return url
    }
}
