import Foundation

/// What an incident's evidence bundle holds, as `manifest.json` inside it: the incident, every piece of
/// evidence with its file's path, SHA-256 and size, the timeline and every custody entry. The instance signs
/// the manifest; the manifest names each file's hash, so the signature covers every file.
public struct EvidenceManifest: Sendable, Equatable, Codable {
    public static let format = "posguard evidence bundle v1"
    public static let fileName = "manifest.json"
    public static let signatureFileName = "manifest.sig"
    public static let publicKeyFileName = "public-key.pem"
    /// The files' hashes in the form `sha256sum -c` reads.
    public static let checksumsFileName = "SHA256SUMS"

    /// One file in the bundle.
    public struct File: Sendable, Equatable, Codable {
        public var path: String
        public var sha256: String
        public var size: Int64
        public var evidenceID: UUID

        public init(path: String, sha256: String, size: Int64, evidenceID: UUID) {
            self.path = path
            self.sha256 = sha256
            self.size = size
            self.evidenceID = evidenceID
        }
    }

    public var format: String
    public var createdAt: Date
    public var createdBy: String
    public var incident: Incident
    /// Every piece of evidence, including those whose file was deleted after the retention period.
    public var evidence: [Evidence]
    /// The files in the bundle.
    public var files: [File]
    /// The SHA-256 of the bundle's `SHA256SUMS`, so that checking it with `sha256sum -c` is covered by the
    /// signature too.
    public var sha256OfChecksums: String
    public var timeline: [TimelineEntry]
    public var custody: [CustodyEntry]

    public init(
        createdAt: Date, createdBy: String, incident: Incident, evidence: [Evidence], files: [File],
        sha256OfChecksums: String, timeline: [TimelineEntry], custody: [CustodyEntry]
    ) {
        format = Self.format
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.incident = incident
        self.evidence = evidence
        self.files = files
        self.sha256OfChecksums = sha256OfChecksums
        self.timeline = timeline
        self.custody = custody
    }

    /// Where a piece of evidence's file goes in the bundle: named by its id, so two files of one name never
    /// clash, and by its (safe) file name, so people recognise it.
    public static func path(of evidence: Evidence) -> String {
        "files/\(evidence.id.uuidString.lowercased())-\(Evidence.safeFileName(evidence.fileName))"
    }

    /// `SHA256SUMS`: one `<hash>  <path>` line per file, as `sha256sum` writes and `sha256sum -c` checks.
    public static func checksums(_ files: [File]) -> String {
        files.map { "\($0.sha256)  \($0.path)\n" }.joined()
    }
}
