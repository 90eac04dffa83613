import Crypto
import Foundation
import PosGuardDomain

extension SecretBox {
    /// The key that seals audit entries (`AuditSeal`), derived from the master key.
    public var auditSeal: AuditSeal { AuditSeal(key: derivedKey("posguard audit log seal v1")) }

    /// The seed of the Ed25519 key that signs the audit log's checkpoints, derived from the master key: backing up
    /// the master key backs it up too, and it never enters the database.
    public var auditSigningSeed: [UInt8] {
        derivedKey("posguard audit log checkpoint signing key v1").withUnsafeBytes { Array($0) }
    }

    /// A key for one purpose, by HKDF-SHA256 from the master key with the purpose as its label: one key does not
    /// tell another.
    func derivedKey(_ label: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data(label.utf8), outputByteCount: SecretBox.keyBytes)
    }
}
