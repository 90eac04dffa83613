/// ISO 8583:1987 messages in the ASCII encoding: MTI as four digits, bitmaps as hexadecimal, fields as
/// text. Field layouts are data (this table), read by one codec — the shape jPOS's packagers made common.
public enum PosGuardISO8583 {}

/// How one data element is laid out.
public struct FieldSpec: Sendable, Equatable {
    public enum Charset: Sendable, Equatable {
        /// Digits only.
        case numeric
        /// Printable ASCII (letters, digits, specials).
        case text
        /// Binary, carried as hexadecimal digits (two per byte).
        case binaryHex
    }

    public enum Length: Sendable, Equatable {
        case fixed(Int)
        /// A variable length with a two-digit prefix (LLVAR), up to the maximum.
        case ll(max: Int)
        /// A variable length with a three-digit prefix (LLLVAR), up to the maximum.
        case lll(max: Int)

        /// For a variable length: the digits of its prefix and the longest value allowed.
        var prefix: (digits: Int, max: Int) {
            switch self {
            case .fixed(let n): (0, n)
            case .ll(let max): (2, max)
            case .lll(let max): (3, max)
            }
        }
    }

    public var charset: Charset
    public var length: Length

    public init(_ charset: Charset, _ length: Length) {
        self.charset = charset
        self.length = length
    }

    /// The ISO 8583:1987 layouts PosGuard reads; a message with any other field is a format error.
    public static let iso1987: [Int: FieldSpec] = {
        var table: [Int: FieldSpec] = [
            2: .init(.numeric, .ll(max: 19)), 3: .init(.numeric, .fixed(6)), 4: .init(.numeric, .fixed(12)),
            5: .init(.numeric, .fixed(12)), 6: .init(.numeric, .fixed(12)), 7: .init(.numeric, .fixed(10)),
            8: .init(.numeric, .fixed(8)), 9: .init(.numeric, .fixed(8)), 10: .init(.numeric, .fixed(8)),
            11: .init(.numeric, .fixed(6)), 12: .init(.numeric, .fixed(6)), 13: .init(.numeric, .fixed(4)),
            14: .init(.numeric, .fixed(4)), 15: .init(.numeric, .fixed(4)), 16: .init(.numeric, .fixed(4)),
            17: .init(.numeric, .fixed(4)), 18: .init(.numeric, .fixed(4)), 19: .init(.numeric, .fixed(3)),
            20: .init(.numeric, .fixed(3)), 21: .init(.numeric, .fixed(3)), 22: .init(.numeric, .fixed(3)),
            23: .init(.numeric, .fixed(3)), 24: .init(.numeric, .fixed(3)), 25: .init(.numeric, .fixed(2)),
            26: .init(.numeric, .fixed(2)), 27: .init(.numeric, .fixed(1)), 28: .init(.text, .fixed(9)),
            29: .init(.text, .fixed(9)), 30: .init(.text, .fixed(9)), 31: .init(.text, .fixed(9)),
            32: .init(.numeric, .ll(max: 11)), 33: .init(.numeric, .ll(max: 11)), 34: .init(.text, .ll(max: 28)),
            35: .init(.text, .ll(max: 37)), 36: .init(.text, .lll(max: 104)), 37: .init(.text, .fixed(12)),
            38: .init(.text, .fixed(6)), 39: .init(.text, .fixed(2)), 40: .init(.text, .fixed(3)),
            41: .init(.text, .fixed(8)), 42: .init(.text, .fixed(15)), 43: .init(.text, .fixed(40)),
            44: .init(.text, .ll(max: 25)), 45: .init(.text, .ll(max: 76)), 49: .init(.text, .fixed(3)),
            50: .init(.text, .fixed(3)), 51: .init(.text, .fixed(3)), 52: .init(.binaryHex, .fixed(16)),
            53: .init(.numeric, .fixed(16)), 54: .init(.text, .lll(max: 120)), 64: .init(.binaryHex, .fixed(16)),
            70: .init(.numeric, .fixed(3)),
            90: .init(.numeric, .fixed(42)), 95: .init(.text, .fixed(42)), 100: .init(.numeric, .ll(max: 11)),
            102: .init(.text, .ll(max: 28)), 103: .init(.text, .ll(max: 28)), 128: .init(.binaryHex, .fixed(16)),
        ]
        for field in [46, 47, 48, 55, 56, 57, 58, 59, 60, 61, 62, 63] { table[field] = .init(.text, .lll(max: 999)) }
        return table
    }()
}
