import Crypto
import Foundation

extension SecretBox {
    /// What the evidence bundle key is derived for; another label gives an unrelated key.
    static let evidenceBundleLabel = "posguard evidence bundle v1"

    /// The instance's Ed25519 key that signs evidence bundles' manifests: derived from the master key with
    /// HKDF-SHA256 under its own purpose label, so it is never stored, is the same on every instance sharing
    /// the master key, and tells nothing about the master key or any other key derived from it.
    public var evidenceBundleKey: Curve25519.Signing.PrivateKey {
        let seed = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key, info: Data(Self.evidenceBundleLabel.utf8), outputByteCount: 32)
        // A 32-byte seed is always a valid Ed25519 private key.
        return try! seed.withUnsafeBytes { try Curve25519.Signing.PrivateKey(rawRepresentation: $0) }
    }
}
