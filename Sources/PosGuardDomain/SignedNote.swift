import Crypto
import Foundation

/// A C2SP signed note (https://c2sp.org/signed-note) under an Ed25519 key: the text, a blank line, then one line
/// `— <key name> <base64 of key id ‖ signature>` per signature. The key id is the first four bytes of
/// SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), and the verifier key is published as
/// `<name>+<hex key id>+<base64 of 0x01 ‖ public key>`, the form Go's `note` package, Sigstore and Trillian
/// Tessera read.
public enum SignedNote {
    /// The signature type byte of Ed25519 in key ids and verifier keys.
    static let ed25519: UInt8 = 0x01

    static func keyID(name: String, publicKey: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: Array(name.utf8) + [0x0A, ed25519] + publicKey).prefix(4))
    }

    /// The note's text (ending in a newline) and its signature lines, signatures unchecked.
    public static func split(_ note: String) -> (text: String, signatures: Substring)? {
        guard let split = note.range(of: "\n\n", options: .backwards) else { return nil }
        let signatures = note[split.upperBound...]
        guard signatures.hasSuffix("\n") else { return nil }
        return (String(note[..<split.lowerBound]) + "\n", signatures)
    }

    /// A key name is non-empty and holds no space and no `+` (the verifier key's separator).
    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("+") && !name.unicodeScalars.contains { $0.properties.isWhitespace }
    }
}

/// Signs notes under one Ed25519 key and name. Holds the 32-byte seed, never written anywhere by this type.
public struct NoteSigner: Sendable {
    public let name: String
    public let publicKey: [UInt8]
    private let seed: [UInt8]

    public struct BadKey: Error, CustomStringConvertible {
        public var description: String
    }

    public init(name: String, seed: [UInt8]) throws(BadKey) {
        guard SignedNote.isValidName(name) else { throw BadKey(description: "a note key name holds no space or +") }
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            throw BadKey(description: "an Ed25519 key is 32 bytes")
        }
        self.name = name
        self.seed = seed
        publicKey = Array(key.publicKey.rawRepresentation)
    }

    public var verifier: NoteVerifier { NoteVerifier(name: name, publicKey: publicKey) }

    /// The note: `text` (which ends in a newline), a blank line and this key's signature line.
    public func sign(_ text: String) throws -> String {
        precondition(text.hasSuffix("\n"), "a note's text ends in a newline")
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        let signature = try key.signature(for: Array(text.utf8))
        let keyID = SignedNote.keyID(name: name, publicKey: publicKey)
        return text + "\n" + "\u{2014} \(name) \(Data(keyID + signature).base64EncodedString())\n"
    }
}

/// Checks notes against one Ed25519 verifier key.
public struct NoteVerifier: Sendable, Equatable {
    public let name: String
    public let publicKey: [UInt8]

    init(name: String, publicKey: [UInt8]) {
        self.name = name
        self.publicKey = publicKey
    }

    /// Reads a verifier key `<name>+<hex key id>+<base64 of 0x01 ‖ public key>`; nil when it is not an Ed25519
    /// key whose id matches.
    public init?(verifierKey: String) {
        let parts = verifierKey.split(separator: "+", omittingEmptySubsequences: false)
        guard parts.count == 3, SignedNote.isValidName(String(parts[0])),
            let key = Data(base64Encoded: String(parts[2])), key.count == 33, key.first == SignedNote.ed25519
        else { return nil }
        self.init(name: String(parts[0]), publicKey: Array(key.dropFirst()))
        guard parts[1] == lowerHex(keyID) else { return nil }
    }

    public var keyID: [UInt8] { SignedNote.keyID(name: name, publicKey: publicKey) }

    /// `<name>+<hex key id>+<base64 of 0x01 ‖ public key>`.
    public var verifierKey: String {
        "\(name)+\(lowerHex(keyID))+\(Data([SignedNote.ed25519] + publicKey).base64EncodedString())"
    }

    /// The note's text when one of its signature lines is by this key and valid, else nil.
    public func open(_ note: String) -> String? {
        guard let (text, signatures) = SignedNote.split(note),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey)
        else { return nil }
        let prefix = "\u{2014} \(name) "
        for line in signatures.split(separator: "\n") where line.hasPrefix(prefix) {
            guard let blob = Data(base64Encoded: String(line.dropFirst(prefix.count))), blob.count == 68,
                Array(blob.prefix(4)) == keyID
            else { continue }
            if key.isValidSignature(blob.dropFirst(4), for: Array(text.utf8)) { return text }
        }
        return nil
    }
}
