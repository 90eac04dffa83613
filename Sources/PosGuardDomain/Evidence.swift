import Foundation

/// A file kept as evidence of an incident — a photo, a CCTV export, a witness statement — as PosGuard knows
/// it: who collected it, when and where, who brought it in, and the SHA-256 and size of its bytes, which are
/// kept by that hash outside the database. Evidence is never edited; once its retention period is over its
/// file may go, and this record, with its chain of custody, stays.
public struct Evidence: Sendable, Equatable, Codable {
    public var id: UUID
    public var incidentID: UUID
    public var providerID: UUID
    public var fileName: String
    public var mediaType: String
    public var size: Int64
    /// Lower-case hex.
    public var sha256: String
    public var description: String?
    public var collectedBy: String?
    public var collectedAt: Date?
    public var place: String?
    public var uploadedBy: String
    public var uploadedAt: Date
    /// When the file was deleted once its retention period was over, and by whom.
    public var deletedAt: Date?
    public var deletedBy: String?

    public init(
        id: UUID, incidentID: UUID, providerID: UUID, fileName: String, mediaType: String, size: Int64,
        sha256: String, description: String?, collectedBy: String?, collectedAt: Date?, place: String?,
        uploadedBy: String, uploadedAt: Date
    ) {
        self.id = id
        self.incidentID = incidentID
        self.providerID = providerID
        self.fileName = fileName
        self.mediaType = mediaType
        self.size = size
        self.sha256 = sha256
        self.description = description
        self.collectedBy = collectedBy
        self.collectedAt = collectedAt
        self.place = place
        self.uploadedBy = uploadedBy
        self.uploadedAt = uploadedAt
    }

    /// How the evidence is named in a line of the incident's timeline.
    public var label: String { "\(fileName) (SHA-256 \(sha256.prefix(12))…)" }

    /// Why the file may not be deleted now, or nil when its retention period allows it: never while the
    /// incident is open, and only `retentionDays` after it closed.
    public static func deletionRefusal(of incident: Incident, retentionDays: Int, at now: Date) -> String? {
        guard incident.status == .closed, let closedAt = incident.closedAt else {
            return "evidence of an open incident is kept unchanged"
        }
        let until = closedAt.addingTimeInterval(Double(retentionDays) * 86_400)
        guard now >= until else {
            return "evidence is kept \(retentionDays) days after the incident closed: until \(RFC3339.format(until))"
        }
        return nil
    }

    /// The name of an uploaded file as it is checked and kept: a name that reads as card data is never kept,
    /// and is not the uploader's choice either (a phone names its photos by the time they were taken, and one in
    /// ten such names, `IMG_20240301_080030.jpg`, passes the Luhn check): it becomes `evidence` with its
    /// extension.
    public static func uploadedName(_ name: String) -> String {
        guard CardDataScan.containsCardData(name) else { return name }
        // At most 8 letters and digits: too short to hold card data itself.
        let ext = name.split(separator: ".").last.map(String.init).flatMap { ext in
            ext.count <= 8 && ext != name && ext.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } ? ext : nil
        }
        return ext.map { "evidence.\($0)" } ?? "evidence"
    }

    /// The file name kept: its last path component, with anything but letters, digits, `.`, `-` and `_`
    /// replaced by `_`, so it is safe as a path inside a bundle and on any file system.
    public static func safeFileName(_ name: String) -> String {
        let last = name.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let kept = String(
            last.unicodeScalars.map { scalar -> Character in
                scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "._-".unicodeScalars.contains(scalar))
                    ? Character(scalar) : "_"
            }
        ).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return kept.isEmpty ? "evidence" : String(kept.prefix(200))
    }
}
