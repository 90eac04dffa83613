import Crypto

/// The seal on each audit entry: HMAC-SHA256, under a key derived from the instance's master key, of the entry's
/// leaf index (8 bytes, big-endian) and leaf hash. Someone who can write to the database but does not hold the
/// master key cannot make an entry that passes, nor move one to another place in the log, so a check names the
/// exact entry changed, added or moved — even after the last signed checkpoint.
public struct AuditSeal: Sendable {
    private let key: Key

    // `SymmetricKey` is not marked Sendable, but it is an immutable value: its bytes are written once when it is
    // made and only ever read after (swift-crypto never mutates a key in place), so sharing it is safe.
    private struct Key: @unchecked Sendable {
        let key: SymmetricKey
    }

    public init(key: SymmetricKey) { self.key = Key(key: key) }

    /// The seal of the leaf at `index`, as stored: 64 hex digits.
    public func seal(index: Int64, leaf: TreeHash) -> String {
        var message = [UInt8]()
        message.reserveCapacity(8 + TreeHash.byteCount)
        withUnsafeBytes(of: UInt64(bitPattern: index).bigEndian) { message.append(contentsOf: $0) }
        message.append(contentsOf: leaf.bytes)
        let code = HMAC<SHA256>.authenticationCode(for: message, using: key.key)
        return lowerHex(code)
    }
}
