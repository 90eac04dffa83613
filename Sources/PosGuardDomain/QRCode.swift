/// A QR code (ISO/IEC 18004) holding one piece of text, as the console shows it for enrolling an
/// authenticator app: the `otpauth://` address of a TOTP secret is drawn by the server itself, so the secret
/// never leaves it for a third-party image service.
///
/// The text is stored as UTF-8 in byte mode, in the smallest of versions 1 to 40 that holds it at the chosen
/// error correction level. Unless a mask is asked for, the one whose symbol scores the lowest penalty
/// (ISO/IEC 18004 §8.8.2) is used.
public struct QRCode: Sendable, Equatable {
    /// How much of the symbol may be damaged and still read: about 7 %, 15 %, 25 % or 30 % of it.
    public enum Correction: Sendable, Equatable, CaseIterable {
        case low, medium, quartile, high

        /// The two bits that name the level in the format information.
        var formatBits: Int {
            switch self {
            case .low: 1
            case .medium: 0
            case .quartile: 3
            case .high: 2
            }
        }

        /// The row of the block tables that belongs to this level.
        var tableRow: Int {
            switch self {
            case .low: 0
            case .medium: 1
            case .quartile: 2
            case .high: 3
            }
        }
    }

    /// Why no symbol was made.
    public struct Refusal: Error, Equatable, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Version 1 to 40; the symbol is `17 + 4 × version` modules wide.
    public let version: Int
    public let correction: Correction
    /// Mask pattern 0 to 7 applied to the data modules.
    public let mask: Int
    /// Modules along one side, without the quiet zone.
    public let size: Int
    /// Row after row, true for a dark module.
    let modules: [Bool]

    /// The largest number of UTF-8 bytes a symbol holds at `correction`.
    public static func capacity(correction: Correction) -> Int {
        byteCapacity(version: 40, correction: correction)
    }

    public init(_ text: String, correction: Correction = .medium, mask: Int? = nil) throws {
        let bytes = Array(text.utf8)
        guard
            let version = (1...40).first(where: {
                Self.byteCapacity(version: $0, correction: correction) >= bytes.count
            })
        else {
            throw Refusal(
                description: "text is \(bytes.count) bytes of UTF-8; a QR code holds at most "
                    + "\(Self.capacity(correction: correction)) at this error correction level"
            )
        }
        if let mask, !(0...7).contains(mask) {
            throw Refusal(description: "mask must be 0 to 7, not \(mask)")
        }
        var grid = Grid(version: version)
        grid.drawFunctionPatterns()
        let data = Self.codewords(bytes, version: version, correction: correction)
        grid.place(Self.interleaved(data, version: version, correction: correction))
        let scored = (mask.map { [$0] } ?? Array(0...7)).map { grid.masked($0, correction: correction) }
            .map { (grid: $0, penalty: $0.penalty) }
        let final = scored.min { $0.penalty < $1.penalty }!.grid
        self.version = version
        self.correction = correction
        self.mask = final.mask
        self.size = final.size
        self.modules = final.dark
    }

    /// Whether the module in column `x` and row `y` is dark; anything outside the symbol is the light quiet zone.
    public func isDark(x: Int, y: Int) -> Bool {
        guard (0..<size).contains(x), (0..<size).contains(y) else { return false }
        return modules[y * size + x]
    }

    /// Bytes of text a symbol of `version` holds in byte mode: the data codewords less the 4-bit mode
    /// indicator and the character count (8 bits up to version 9, 16 from version 10).
    static func byteCapacity(version: Int, correction: Correction) -> Int {
        let countBits = version <= 9 ? 8 : 16
        return (dataCodewords(version: version, correction: correction) * 8 - 4 - countBits) / 8
    }

    /// The data codewords: mode indicator, character count, the bytes, a terminator of up to four zero bits,
    /// zero bits to the next byte, then the pad bytes 0xEC and 0x11 in turn until the version is full.
    static func codewords(_ bytes: [UInt8], version: Int, correction: Correction) -> [UInt8] {
        let capacity = dataCodewords(version: version, correction: correction) * 8
        var bits = BitBuffer()
        bits.append(0b0100, count: 4)
        bits.append(bytes.count, count: version <= 9 ? 8 : 16)
        for byte in bytes { bits.append(Int(byte), count: 8) }
        bits.append(0, count: min(4, capacity - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var out = bits.bytes
        var pad: UInt8 = 0xEC
        while out.count * 8 < capacity {
            out.append(pad)
            pad ^= 0xEC ^ 0x11
        }
        return out
    }

    /// The data split into the version's blocks, each followed by its Reed–Solomon codewords, then read out
    /// column by column across the blocks as the symbol carries them.
    static func interleaved(_ data: [UInt8], version: Int, correction: Correction) -> [UInt8] {
        let blockCount = errorCorrectionBlocks[correction.tableRow][version]
        let eccLength = errorCorrectionCodewordsPerBlock[correction.tableRow][version]
        let raw = rawDataModules(version: version) / 8
        let shortBlocks = blockCount - raw % blockCount
        let shortDataLength = raw / blockCount - eccLength
        let generator = ReedSolomon.generator(degree: eccLength)
        var blocks: [[UInt8]] = []
        var eccBlocks: [[UInt8]] = []
        var start = 0
        for index in 0..<blockCount {
            let length = shortDataLength + (index < shortBlocks ? 0 : 1)
            let block = Array(data[start..<start + length])
            start += length
            blocks.append(block)
            eccBlocks.append(ReedSolomon.remainder(of: block, by: generator))
        }
        var out: [UInt8] = []
        out.reserveCapacity(raw)
        for column in 0...shortDataLength {
            for block in blocks where column < block.count { out.append(block[column]) }
        }
        for column in 0..<eccLength {
            for block in eccBlocks { out.append(block[column]) }
        }
        return out
    }
}

/// Bits appended most significant first and read back as bytes.
struct BitBuffer {
    private(set) var bits: [Bool] = []
    var count: Int { bits.count }

    mutating func append(_ value: Int, count: Int) {
        for shift in stride(from: count - 1, through: 0, by: -1) { bits.append((value >> shift) & 1 == 1) }
    }

    var bytes: [UInt8] {
        stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<min(start + 8, bits.count)].enumerated().reduce(UInt8(0)) { byte, bit in
                bit.element ? byte | UInt8(0x80 >> bit.offset) : byte
            }
        }
    }
}
