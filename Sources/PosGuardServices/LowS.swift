import Foundation

/// The one accepted form of a raw r‖s P-256 signature. ECDSA is malleable: if (r, s) verifies, so does
/// (r, n − s), so anyone holding a signed request can make a second, different-looking signature for it.
/// The agent protocol accepts only the "low-s" half (s ≤ n/2, as Bitcoin's BIP 146 does), which leaves
/// each signature a single valid encoding; terminals sign with `normalised`.
enum LowS {
    /// The order n of the P-256 group, big-endian.
    static let order: [UInt8] = hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551")
    /// ⌊n/2⌋, the largest s accepted.
    static let halfOrder: [UInt8] = hex("7FFFFFFF800000007FFFFFFFFFFFFFFFDE737D56D38BCF4279DCE5617E3192A8")

    /// Whether the 64-byte r‖s signature has s ≤ n/2.
    static func isLow(_ raw: Data) -> Bool {
        let s = Array(raw.suffix(32))
        return s == halfOrder || s.lexicographicallyPrecedes(halfOrder)
    }

    /// The same signature with s replaced by n − s when s is high: it verifies exactly as the original does.
    static func normalised(_ raw: Data) -> Data {
        guard raw.count == 64, !isLow(raw) else { return raw }
        return twin(of: raw)
    }

    /// The other valid encoding of the same signature, (r, n − s): low for a high s, high for a low one.
    static func twin(of raw: Data) -> Data { raw.prefix(32) + subtract(order, Array(raw.suffix(32))) }

    /// a − b for 32-byte big-endian numbers with a ≥ b.
    static func subtract(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: a.count)
        var borrow = 0
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            var digit = Int(a[i]) - Int(b[i]) - borrow
            borrow = digit < 0 ? 1 : 0
            if digit < 0 { digit += 256 }
            result[i] = UInt8(digit)
        }
        return result
    }

    private static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }
}
