import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The evidence directory: every file kept once, named by its SHA-256 (`ab/cdef…`), so the name proves the
/// content. A file arrives through a temporary file in `tmp/`, hashed as it is written, and is renamed into
/// place only when complete: a half-received upload never looks like evidence.
public struct EvidenceFiles: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// The upload is larger than the limit; nothing of it was kept.
    public struct TooLarge: Error {
        public var limit: Int64
    }

    /// A file received: its hash (lower-case hex) and size.
    public struct Received: Sendable {
        public var sha256: String
        public var size: Int64
    }

    /// Where the file with this hash is kept.
    public func url(of sha256: String) -> URL {
        directory.appendingPathComponent(String(sha256.prefix(2)), isDirectory: true)
            .appendingPathComponent(String(sha256.dropFirst(2)))
    }

    /// A fresh path for a temporary file (an upload, a bundle being built), in the directory itself so that
    /// renaming it into place never crosses file systems.
    func temporaryURL(_ suffix: String) throws -> URL {
        let tmp = directory.appendingPathComponent("tmp", isDirectory: true)
        try FileManager.default.createDirectory(
            at: tmp, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return tmp.appendingPathComponent("\(UUID().uuidString.lowercased())\(suffix)")
    }

    /// Receives a file: `body` writes its chunks to the intake as they come; the file is hashed on the way
    /// and renamed into place under its hash. Throws `TooLarge` as soon as it passes `limit` and keeps
    /// nothing; anything `body` throws also leaves nothing behind.
    func receive(limit: Int64, _ body: (EvidenceIntake) async throws -> Void) async throws -> Received {
        let temporary = try temporaryURL(".part")
        let intake = try EvidenceIntake(path: temporary.path, limit: limit)
        do {
            try await body(intake)
            try intake.close()
            let sha256 = intake.digest
            let target = url(of: sha256)
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            guard rename(temporary.path, target.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: target.path])
            }
            return Received(sha256: sha256, size: intake.count)
        } catch {
            try? intake.close()
            unlink(temporary.path)
            throw error
        }
    }

    /// Deletes the file with this hash, if it is there.
    func remove(_ sha256: String) {
        unlink(url(of: sha256).path)
    }
}

private func posixWrite(_ fd: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int { write(fd, bytes, count) }
private func posixClose(_ fd: Int32) -> Int32 { close(fd) }

/// Where an upload's chunks go: appended to a temporary file (owner-only) and to a running SHA-256, never
/// gathered in memory.
public final class EvidenceIntake {
    private var fd: Int32
    private var hasher = SHA256()
    public private(set) var count: Int64 = 0
    let limit: Int64

    init(path: String, limit: Int64) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        self.limit = limit
    }

    /// Appends one chunk; throws `EvidenceFiles.TooLarge` once the file passes the limit.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        count += Int64(bytes.count)
        guard count <= limit else { throw EvidenceFiles.TooLarge(limit: limit) }
        hasher.update(bufferPointer: bytes)
        var offset = 0
        while offset < bytes.count {
            let written = posixWrite(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw CocoaError(.fileWriteUnknown)
            }
            offset += written
        }
    }

    var digest: String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }

    func close() throws {
        guard fd >= 0 else { return }
        defer { fd = -1 }
        guard fsync(fd) == 0, posixClose(fd) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }
}
