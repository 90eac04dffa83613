import Crypto
import Foundation

/// Seals the secrets PosGuard must read back — TOTP secrets, terminals' unlock secrets, webhook signing
/// secrets — with AES-256-GCM under the master key, which is held outside the database (an environment
/// variable or an owner-only key file). A copy of the database alone gives none of them away.
///
/// Each secret is bound to its purpose and row as associated data (`totp:<user id>`), so a sealed value
/// copied into another row or column, or altered, does not open. Stored as `v1:<base64 of nonce ‖
/// ciphertext ‖ tag>`; the version leaves room for another algorithm or key later.
public struct SecretBox: Sendable {
    public static let prefix = "v1:"
    public static let keyBytes = 32

    private let sealingKey: SealingKey
    var key: SymmetricKey { sealingKey.key }

    // `SymmetricKey` is not marked Sendable, but it is an immutable value: its bytes are written once when it is
    // made and only ever read after (swift-crypto never mutates a key in place), so sharing it is safe.
    private struct SealingKey: @unchecked Sendable {
        let key: SymmetricKey
    }

    public struct BadKey: Error, CustomStringConvertible {
        public var description: String { "a master key must be \(SecretBox.keyBytes) bytes (256 bits)" }
    }

    public init(key: SymmetricKey) throws(BadKey) {
        guard key.bitCount == Self.keyBytes * 8 else { throw BadKey() }
        sealingKey = SealingKey(key: key)
    }

    /// A box under a fresh random key (for tests and benchmarks, whose databases do not outlive them).
    public static func random() -> SecretBox { SecretBox(uncheckedKey: SymmetricKey(size: .bits256)) }

    private init(uncheckedKey: SymmetricKey) { sealingKey = SealingKey(key: uncheckedKey) }

    /// What a secret is for and whose it is.
    public struct Purpose: Sendable, Equatable, CustomStringConvertible {
        public var description: String

        public static func totp(user: UUID) -> Purpose { Purpose(description: "totp:\(user.key)") }
        public static func pendingTOTP(user: UUID) -> Purpose { Purpose(description: "totp-pending:\(user.key)") }
        public static func unlock(terminal: UUID) -> Purpose { Purpose(description: "unlock:\(terminal.key)") }
        public static func webhook(_ id: UUID) -> Purpose { Purpose(description: "webhook:\(id.key)") }
        /// The value sealed at first use that tells whether a later start has the same key.
        public static let keyCheck = Purpose(description: "key-check")
    }

    /// A sealed value that does not open: another key, another row's value, or altered. Names the purpose
    /// only, never the value.
    public struct Unreadable: Error, CustomStringConvertible {
        public var purpose: Purpose
        public var description: String {
            "the secret sealed for \(purpose) does not open under this master key: it was sealed under another "
                + "key, copied from another row, altered, or written in plain text by something other than PosGuard"
        }
    }

    public func seal(_ secret: String, for purpose: Purpose) throws -> String {
        let box = try AES.GCM.seal(Data(secret.utf8), using: key, authenticating: Self.associatedData(purpose))
        guard let combined = box.combined else { throw Unreadable(purpose: purpose) }
        return Self.prefix + combined.base64EncodedString()
    }

    public func open(_ sealed: String, for purpose: Purpose) throws(Unreadable) -> String {
        guard sealed.hasPrefix(Self.prefix),
            let combined = Data(base64Encoded: String(sealed.dropFirst(Self.prefix.count))),
            let box = try? AES.GCM.SealedBox(combined: combined),
            let plain = try? AES.GCM.open(box, using: key, authenticating: Self.associatedData(purpose)),
            let text = String(data: plain, encoding: .utf8)
        else { throw Unreadable(purpose: purpose) }
        return text
    }

    public static func isSealed(_ stored: String) -> Bool { stored.hasPrefix(prefix) }

    static func associatedData(_ purpose: Purpose) -> Data { Data("posguard:\(purpose.description)".utf8) }
}
