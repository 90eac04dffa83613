import Crypto
import Foundation

/// Keys written as lowercase hex: how unlock secrets travel to a terminal at enrollment.
extension SymmetricKey {
    var hex: String { withUnsafeBytes { Data($0) }.map { String(format: "%02x", $0) }.joined() }

    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        self.init(data: bytes)
    }
}
