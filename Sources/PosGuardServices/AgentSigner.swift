import Crypto
import Foundation

/// A terminal's side of the agent protocol's signatures: its P-256 key pair, and the headers a signed
/// request carries. The fleet simulator and the tests speak as terminals through it. Signatures go out in
/// low-s form (s ≤ n/2), the only form the server accepts: swift-crypto returns either half, so a high s
/// is replaced by n − s, which verifies the same.
public struct AgentSigner: Sendable {
    /// The private key's raw bytes (swift-crypto's key type is not `Sendable`).
    let privateKey: Data

    public init() { privateKey = P256.Signing.PrivateKey().rawRepresentation }

    /// Base64 of the X9.63 uncompressed public key, as enrollment expects it.
    public var publicKey: String {
        (try! P256.Signing.PrivateKey(rawRepresentation: privateKey)).publicKey.x963Representation.base64EncodedString()
    }

    /// The three signature headers for a request by `terminal` at `date`.
    public func headers(terminal: UUID, method: String, path: String, body: some Collection<UInt8>, at date: Date)
        -> [(name: String, value: String)]
    {
        let timestamp = String(Int64(date.timeIntervalSince1970))
        let message = AgentVerifier.message(method: method, path: path, timestamp: timestamp, body: body)
        let key = try! P256.Signing.PrivateKey(rawRepresentation: privateKey)
        let signature = LowS.normalised(try! key.signature(for: message).rawRepresentation).base64EncodedString()
        return [
            ("PosGuard-Terminal", terminal.uuidString), ("PosGuard-Timestamp", timestamp),
            ("PosGuard-Signature", signature),
        ]
    }
}
