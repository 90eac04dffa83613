import Crypto

/// The seal on each audit entry: HMAC-SHA256, under a key derived from the instance's master key, of the entry's
/// leaf index (8 bytes, big-endian) and leaf hash. Someone who can write to the database but does not hold the
/// master key cannot make an entry that passes, nor move one to another place in the log, so a check names the
/// exact entry changed, added or moved — even after the last signed checkpoint.
public struct AuditSeal: Sendable {
    /// HMAC with the key already absorbed: a copy is updated for each seal, so the key is not processed again.
    private let keyed: Keyed

    // `HMAC` holds no Sendable annotation, but it is a value of two hash states: each seal updates a copy of it.
    private struct Keyed: @unchecked Sendable {
        let hmac: HMAC<SHA256>
    }

    public init(key: SymmetricKey) { keyed = Keyed(hmac: HMAC<SHA256>(key: key)) }

    /// The seal of the leaf at `index`, as stored: 64 hex digits.
    public func seal(index: Int64, leaf: TreeHash) -> String {
        var hmac = keyed.hmac
        withUnsafeBytes(of: UInt64(bitPattern: index).bigEndian) { hmac.update(data: $0) }
        hmac.update(data: leaf.bytes)
        return hmac.finalize().withUnsafeBytes { lowerHex($0) }
    }
}
