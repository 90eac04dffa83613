import Crypto
import Foundation
import PosGuardDomain
import ZIPFoundation

/// An incident's evidence bundle: a zip of every evidence file, `manifest.json` (see `EvidenceManifest`),
/// `SHA256SUMS`, `manifest.sig` (the instance's Ed25519 signature of `manifest.json`) and `public-key.pem`.
/// Written straight to a file, each evidence file copied in chunks; checked offline by `posguard evidence
/// verify`, or with `unzip`, `openssl` and `sha256sum` alone.
public enum EvidenceBundle {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = JSONKeys.encoding
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return encoder
    }()

    /// Writes the bundle of `evidence` (only those whose file is kept go in) to `url`, the stored files read
    /// from `files`; the manifest is signed with `key`.
    static func write(
        to url: URL, incident: Incident, evidence: [Evidence], timeline: [TimelineEntry], custody: [CustodyEntry],
        files: EvidenceFiles, key: Curve25519.Signing.PrivateKey, createdBy: String, at now: Date
    ) throws {
        let kept = evidence.filter { $0.deletedAt == nil }
        let entries = kept.map {
            EvidenceManifest.File(
                path: EvidenceManifest.path(of: $0), sha256: $0.sha256, size: $0.size, evidenceID: $0.id)
        }
        let checksums = Data(EvidenceManifest.checksums(entries).utf8)
        let manifest = EvidenceManifest(
            createdAt: now, createdBy: createdBy, incident: incident, evidence: evidence, files: entries,
            sha256OfChecksums: hex(SHA256.hash(data: checksums)), timeline: timeline, custody: custody)
        let manifestData = try encoder.encode(manifest)
        let signature = try key.signature(for: manifestData)

        let archive = try Archive(url: url, accessMode: .create)
        for (item, entry) in zip(kept, entries) {
            try archive.addEntry(with: entry.path, fileURL: files.url(of: item.sha256))
        }
        for (name, data) in [
            (EvidenceManifest.fileName, manifestData), (EvidenceManifest.checksumsFileName, checksums),
            (EvidenceManifest.signatureFileName, Data(signature)),
            (EvidenceManifest.publicKeyFileName, Data(Ed25519PEM.encode(key.publicKey).utf8)),
        ] {
            try archive.addEntry(
                with: name, type: .file, uncompressedSize: Int64(data.count), modificationDate: now,
                compressionMethod: .deflate
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    /// The instance's public key for evidence bundles, in PEM form: what a bundle's `public-key.pem` must be.
    public static func publicKey(of runtime: Runtime) -> String {
        Ed25519PEM.encode(runtime.secrets.evidenceBundleKey.publicKey)
    }

    // MARK: Checking

    /// What `verify` found: the problems (empty when the bundle is intact) and the public key it checked
    /// the signature with.
    public struct Verdict: Sendable {
        public var problems: [String]
        public var files: Int
        public var publicKey: String?
        public var intact: Bool { problems.isEmpty }
    }

    /// The part of the manifest a check needs.
    struct Listing: Decodable {
        var format: String
        var files: [EvidenceManifest.File]
        var sha256OfChecksums: String
    }

    /// Checks a bundle offline: the signature over `manifest.json` (with `publicKeyPEM` when given, else the
    /// bundle's own `public-key.pem`), then every file's SHA-256 and size against the manifest, the
    /// `SHA256SUMS` against the manifest, and that the zip holds nothing the manifest does not name.
    public static func verify(_ url: URL, publicKeyPEM: String? = nil) throws -> Verdict {
        let archive = try Archive(url: url, accessMode: .read)
        var verdict = Verdict(problems: [], files: 0)
        func read(_ name: String) -> Data? {
            guard let entry = archive[name] else {
                verdict.problems.append("\(name) is missing")
                return nil
            }
            var data = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
            } catch {
                verdict.problems.append("\(name) cannot be read: \(error)")
                return nil
            }
            return data
        }
        guard let manifestData = read(EvidenceManifest.fileName) else { return verdict }
        let signature = read(EvidenceManifest.signatureFileName)
        let bundledKey = read(EvidenceManifest.publicKeyFileName).map { String(decoding: $0, as: UTF8.self) }
        let keyText = publicKeyPEM ?? bundledKey
        verdict.publicKey = keyText
        if let keyText, let signature {
            if let key = Ed25519PEM.decode(keyText) {
                if !key.isValidSignature(signature, for: manifestData) {
                    verdict.problems.append("manifest.sig is not a signature of manifest.json by this public key")
                }
            } else {
                verdict.problems.append("the public key is not an Ed25519 public key in PEM form")
            }
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = JSONKeys.decoding
        guard let listing = try? decoder.decode(Listing.self, from: manifestData),
            listing.format == EvidenceManifest.format
        else {
            verdict.problems.append("manifest.json is not a manifest of \(EvidenceManifest.format)")
            return verdict
        }
        if let checksums = read(EvidenceManifest.checksumsFileName) {
            if hex(SHA256.hash(data: checksums)) != listing.sha256OfChecksums
                || checksums != Data(EvidenceManifest.checksums(listing.files).utf8)
            {
                verdict.problems.append("SHA256SUMS does not match the manifest")
            }
        }
        for file in listing.files {
            verdict.files += 1
            guard let entry = archive[file.path] else {
                verdict.problems.append("\(file.path) is missing")
                continue
            }
            var hasher = SHA256()
            var size: Int64 = 0
            do {
                _ = try archive.extract(entry, skipCRC32: true) { chunk in
                    hasher.update(data: chunk)
                    size += Int64(chunk.count)
                }
            } catch {
                verdict.problems.append("\(file.path) cannot be read: \(error)")
                continue
            }
            if hex(hasher.finalize()) != file.sha256 || size != file.size {
                verdict.problems.append("\(file.path) does not match its SHA-256 in the manifest")
            }
        }
        let named =
            Set(listing.files.map(\.path)).union([
                EvidenceManifest.fileName, EvidenceManifest.signatureFileName, EvidenceManifest.publicKeyFileName,
                EvidenceManifest.checksumsFileName,
            ])
        for entry in archive where entry.type == .file && !named.contains(entry.path) {
            verdict.problems.append("\(entry.path) is not named in the manifest")
        }
        return verdict
    }

    static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }
}
