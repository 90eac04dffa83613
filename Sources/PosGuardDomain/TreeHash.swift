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
            guard let high = Self.nibble(utf8[2 * i]), let low = Self.nibble(utf8[2 * i + 1]) else { return nil }
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

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Bytes as lower-case hex digits.
func lowerHex(_ bytes: some Collection<UInt8>) -> String {
    String(unsafeUninitializedCapacity: bytes.count * 2) { text in
        var i = 0
        for byte in bytes {
            text[i] = hexDigits[Int(byte >> 4)]
            text[i + 1] = hexDigits[Int(byte & 0x0f)]
            i += 2
        }
        return i
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
