import Crypto
import Foundation
import PosGuardStorage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The master key that seals the database's secrets, and the one way every command gets it: the
/// `POSGUARD_MASTER_KEY` environment variable (base64 of 32 bytes, for production, where a secret store
/// fills it), else a key file that only its owner may read — created at the first start with mode 0600.
/// The key never enters the database; a copy of the database without it opens no secret.
public enum MasterKey {
    public static let environmentVariable = "POSGUARD_MASTER_KEY"
    public static let defaultFileName = "posguard.key"

    /// Why no usable key was found. Never holds the key or any part of it.
    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// A key ready for use, and where it came from (for the start-up message).
    public struct Unlocked: Sendable {
        public var secrets: SecretBox
        public var source: String
        /// Whether the key file was made now (it must then be backed up).
        public var created: Bool
    }

    static let expected =
        "the base64 of \(SecretBox.keyBytes) random bytes, e.g. from `openssl rand -base64 \(SecretBox.keyBytes)`"

    /// Finds the key (the environment first, else `keyFile`), checks it against the database, and seals any
    /// secret an earlier version left in plain text. A key file is created only for a database that has
    /// never had a key; otherwise a missing file is an error, never a new key.
    public static func unlock(
        _ database: Database, keyFile: String, explicitFile: Bool, environment: [String: String], at now: Date
    ) async throws -> Unlocked {
        let unlocked: Unlocked
        if let text = environment[environmentVariable], !text.isEmpty {
            guard !explicitFile else {
                throw Problem(
                    description: "both \(environmentVariable) and --key-file are given: use one of them, not both")
            }
            guard let box = decode(text) else {
                throw Problem(description: "\(environmentVariable) does not hold a master key: expected \(expected)")
            }
            unlocked = Unlocked(secrets: box, source: "$\(environmentVariable)", created: false)
        } else if FileManager.default.fileExists(atPath: keyFile) {
            unlocked = Unlocked(secrets: try read(keyFile), source: "key file \(keyFile)", created: false)
        } else {
            if try await SealedSecrets.hasKeyCheck(database) {
                throw Problem(
                    description:
                        "the key file \(keyFile) does not exist, but this database's secrets are sealed under a master "
                        + "key: restore that key file (or set \(environmentVariable)) rather than making a new key")
            }
            unlocked = Unlocked(secrets: try create(keyFile), source: "key file \(keyFile)", created: true)
        }
        do {
            try await SealedSecrets.adopt(unlocked.secrets, in: database, at: now)
        } catch let wrong as SealedSecrets.WrongKey {
            throw Problem(description: "\(unlocked.source): \(wrong.description)")
        }
        return unlocked
    }

    /// The key in its text form, or nil when the text is not one.
    public static func decode(_ text: String) -> SecretBox? {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
            data.count == SecretBox.keyBytes
        else { return nil }
        return try? SecretBox(key: SymmetricKey(data: data))
    }

    /// Reads a key file, refusing one that group or others may read or write.
    static func read(_ path: String) throws -> SecretBox {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & 0o170000 == 0o100000 else {
            throw Problem(description: "the key file \(path) is not a regular file")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw Problem(
                description:
                    "the key file \(path) may be read or written by group or others (mode \(String(mode, radix: 8))): "
                    + "run `chmod 600 \(path)`")
        }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8),
            let box = decode(text)
        else { throw Problem(description: "the key file \(path) does not hold a master key: expected \(expected)") }
        return box
    }

    /// Makes a new key file with mode 0600; it must not exist yet (two starts racing never get two keys).
    static func create(_ path: String) throws -> SecretBox {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let key = SymmetricKey(size: .bits256)
        let text = key.withUnsafeBytes { Data($0).base64EncodedString() } + "\n"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw Problem(description: "cannot create the key file \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        guard written == text.utf8.count, fsync(fd) == 0 else {
            unlink(path)
            throw Problem(description: "cannot write the key file \(path): \(String(cString: strerror(errno)))")
        }
        return try SecretBox(key: key)
    }
}
