import Crypto
import Foundation

/// A SHA-256 hash in the audit log's Merkle tree: of a leaf, of an inner node, or the root of a tree.
public struct TreeHash: Hashable, Sendable, CustomStringConvertible {
    public static let byteCount = 32
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.byteCount else { return nil }
        self.bytes = bytes
    }

    init(_ digest: SHA256.Digest) { bytes = Array(digest) }

    public init?(hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == Self.byteCount * 2 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Self.byteCount)
        for i in 0..<Self.byteCount {
            guard let high = hexNibble(utf8[2 * i]), let low = hexNibble(utf8[2 * i + 1]) else { return nil }
            bytes[i] = high << 4 | low
        }
        self.bytes = bytes
    }

    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64) else { return nil }
        self.init(bytes: Array(data))
    }

    public var hex: String { lowerHex(bytes) }

    public var base64: String { Data(bytes).base64EncodedString() }
    public var description: String { hex }
}
