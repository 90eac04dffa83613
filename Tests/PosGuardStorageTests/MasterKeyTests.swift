import Foundation
import PosGuardServices
import PosGuardStorage
import PosGuardTestSupport
import Testing

@Suite("Master key: environment or owner-only key file")
struct MasterKeyTests {
    /// A fresh directory for a key file, removed afterwards.
    func withDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("posguard-key-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try await body(directory)
    }

    func unlock(_ db: Database, _ path: String, explicit: Bool = false, environment: [String: String] = [:])
        async throws -> MasterKey.Unlocked
    {
        try await MasterKey.unlock(db, keyFile: path, explicitFile: explicit, environment: environment, at: Date())
    }

    @Test func theFirstStartMakesAnOwnerOnlyKeyFileAndLaterStartsReadIt() async throws {
        try await withDirectory { directory in
            try await TestDatabase.sqlite.withMigrated { db in
                let path = directory + "/data/posguard.key"
                let first = try await unlock(db, path)
                #expect(first.created && first.source == "key file \(path)")
                let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
                #expect(mode == 0o600)
                let text = try String(contentsOfFile: path, encoding: .utf8)
                #expect(Data(base64Encoded: text.trimmingCharacters(in: .newlines))?.count == 32)
                let again = try await unlock(db, path)
                #expect(!again.created)
                // The same key under the environment variable opens the same database.
                _ = try await unlock(
                    db, directory + "/elsewhere.key", environment: [MasterKey.environmentVariable: text])

                // Once the database has a key, a missing key file is an error, never a new key.
                try FileManager.default.removeItem(atPath: path)
                let missing = try await #require(throws: MasterKey.Problem.self) { try await unlock(db, path) }
                #expect(missing.description.contains("does not exist, but this database's secrets are sealed"))
                #expect(!FileManager.default.fileExists(atPath: path))
            }
        }
    }

    @Test func aKeyFileOthersCanReadOrThatHoldsNoKeyIsRefused() async throws {
        try await withDirectory { directory in
            try await TestDatabase.sqlite.withMigrated { db in
                let path = directory + "/posguard.key"
                _ = try await unlock(db, path)
                try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
                let open = try await #require(throws: MasterKey.Problem.self) { try await unlock(db, path) }
                #expect(open.description.contains("mode 644") && open.description.contains("chmod 600"))
                try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
                await #expect(throws: MasterKey.Problem.self) { try await unlock(db, path) }

                let bad = directory + "/bad.key"
                FileManager.default.createFile(
                    atPath: bad, contents: Data("not a key\n".utf8), attributes: [.posixPermissions: 0o600])
                let garbage = try await #require(throws: MasterKey.Problem.self) { try await unlock(db, bad) }
                #expect(garbage.description.contains("does not hold a master key"))
                #expect(!garbage.description.contains("not a key"), "the file's content is not repeated")
            }
        }
    }

    @Test func theEnvironmentVariableMustHoldAKeyAndExcludesAKeyFile() async throws {
        try await withDirectory { directory in
            try await TestDatabase.sqlite.withMigrated { db in
                let short = Data(repeating: 1, count: 16).base64EncodedString()
                let error = try await #require(throws: MasterKey.Problem.self) {
                    try await unlock(db, directory + "/k", environment: [MasterKey.environmentVariable: short])
                }
                #expect(error.description.hasPrefix("POSGUARD_MASTER_KEY does not hold a master key"))
                #expect(!error.description.contains(short))
                let key = Data(repeating: 2, count: 32).base64EncodedString()
                await #expect(throws: MasterKey.Problem.self) {
                    try await unlock(
                        db, directory + "/k", explicit: true, environment: [MasterKey.environmentVariable: key])
                }
                let unlocked = try await unlock(db, directory + "/k", environment: [MasterKey.environmentVariable: key])
                #expect(unlocked.source == "$POSGUARD_MASTER_KEY" && !unlocked.created)
                #expect(!FileManager.default.fileExists(atPath: directory + "/k"))
            }
        }
    }

    @Test func aSealedValueOpensOnlyForItsOwnPurposeAndKey() throws {
        let box = SecretBox.random()
        let user = UUID()
        let sealed = try box.seal("JBSWY3DPEHPK3PXP", for: .totp(user: user))
        #expect(sealed.hasPrefix("v1:") && !sealed.contains("JBSWY3DPEHPK3PXP"))
        #expect(try box.open(sealed, for: .totp(user: user)) == "JBSWY3DPEHPK3PXP")
        #expect(try box.seal("JBSWY3DPEHPK3PXP", for: .totp(user: user)) != sealed, "a fresh nonce every time")
        #expect(throws: SecretBox.Unreadable.self) { try box.open(sealed, for: .totp(user: UUID())) }
        #expect(throws: SecretBox.Unreadable.self) { try box.open(sealed, for: .pendingTOTP(user: user)) }
        #expect(throws: SecretBox.Unreadable.self) { try SecretBox.random().open(sealed, for: .totp(user: user)) }
        var tampered = Array(sealed)
        tampered[10] = tampered[10] == "A" ? "B" : "A"
        let error = try #require(throws: SecretBox.Unreadable.self) {
            try box.open(String(tampered), for: .totp(user: user))
        }
        #expect(error.description.hasPrefix("the secret sealed for totp:\(user.key) does not open"))
    }
}
