// Hexadecimal digits, written and read by hand for ids, hashes and escapes.

/// The lower-case digits, by value.
let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

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

/// The value of one hex digit, in either case; nil for any other character.
func hexNibble(_ character: UInt8) -> UInt8? {
    switch character {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
    default: nil
    }
}
