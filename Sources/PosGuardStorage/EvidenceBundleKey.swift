import Crypto
import Foundation

extension SecretBox {
    /// The instance's Ed25519 key that signs evidence bundles' manifests: its seed derived from the master key
    /// (HKDF-SHA256, label `posguard evidence bundle v1`), so it is never stored, is the same on every instance
    /// sharing the master key, and tells nothing about the master key or any other key derived from it.
    public var evidenceBundleKey: Curve25519.Signing.PrivateKey {
        // A 32-byte seed is always a valid Ed25519 private key.
        try! derivedKey("posguard evidence bundle v1").withUnsafeBytes {
            try Curve25519.Signing.PrivateKey(rawRepresentation: $0)
        }
    }
}
