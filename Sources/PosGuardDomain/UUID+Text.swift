import Foundation

/// Ids as text, read and written by hand: Foundation's parser (`sscanf`) and formatter (`sprintf`, then a
/// second pass to lower-case it) were a visible part of every batch's cost, and ids are read and written for
/// every row.
extension UUID {
    /// The lower-case text form every id takes in the database and in PosGuard's answers.
    public var key: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                var at = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    text[at] = hexDigits[Int(byte >> 4)]
                    text[at + 1] = hexDigits[Int(byte & 0x0F)]
                    at += 2
                }
                return at
            }
        }
    }

    /// Reads the 8-4-4-4-12 hexadecimal form, in either case; nil for anything else (as
    /// `UUID(uuidString:)`).
    public init?(text: String) {
        var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let read = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
            var position = 0
            var filled = 0
            var high: UInt8? = nil
            for character in text.utf8 {
                defer { position += 1 }
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard character == UInt8(ascii: "-") else { return false }
                    continue
                }
                guard position < 36, let nibble = hexNibble(character) else { return false }
                if let first = high {
                    out[filled] = first << 4 | nibble
                    filled += 1
                    high = nil
                } else {
                    high = nibble
                }
            }
            return position == 36
        }
        guard read else { return nil }
        self.init(uuid: bytes)
    }
}
