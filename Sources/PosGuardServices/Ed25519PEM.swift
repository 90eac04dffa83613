import Crypto
import Foundation

/// Ed25519 public keys as PEM (`-----BEGIN PUBLIC KEY-----`, an X.509 SubjectPublicKeyInfo), the form
/// `openssl pkeyutl -pubin -inkey` reads.
enum Ed25519PEM {
    /// The DER of the SubjectPublicKeyInfo up to the key's 32 bytes: SEQUENCE { SEQUENCE { OID 1.3.101.112 },
    /// BIT STRING }.
    static let prefix: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00]

    static func encode(_ key: Curve25519.Signing.PublicKey) -> String {
        let base64 = Data(prefix + key.rawRepresentation).base64EncodedString(options: [.lineLength64Characters])
        return "-----BEGIN PUBLIC KEY-----\n\(base64)\n-----END PUBLIC KEY-----\n"
    }

    /// The key in a PEM text, or nil when the text holds no Ed25519 public key.
    static func decode(_ text: String) -> Curve25519.Signing.PublicKey? {
        let body = text.split(whereSeparator: \.isNewline).filter { !$0.hasPrefix("-----") }.joined()
        guard let der = Data(base64Encoded: body), der.count == prefix.count + 32,
            der.prefix(prefix.count).elementsEqual(prefix)
        else { return nil }
        return try? Curve25519.Signing.PublicKey(rawRepresentation: der.dropFirst(prefix.count))
    }
}
