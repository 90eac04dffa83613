extension QRCode {
    /// The modules of a symbol while it is laid out: the function patterns that every reader looks for, and
    /// the data modules filled in a two-column zigzag from the bottom right (ISO/IEC 18004 §7.7.3).
    struct Grid {
        let version: Int
        let size: Int
        var dark: [Bool]
        /// Modules that belong to a function pattern or to format or version information, never to data.
        var reserved: [Bool]
        /// The mask applied, once `masked` has applied one.
        var mask = 0

        init(version: Int) {
            self.version = version
            size = 17 + 4 * version
            dark = Array(repeating: false, count: size * size)
            reserved = Array(repeating: false, count: size * size)
        }

        mutating func set(x: Int, y: Int, _ value: Bool) {
            dark[y * size + x] = value
            reserved[y * size + x] = true
        }

        /// Finder patterns with their separators in three corners, the timing lines, the alignment
        /// patterns, the version information from version 7, and the places the format information goes.
        mutating func drawFunctionPatterns() {
            for i in 0..<size {
                set(x: 6, y: i, i % 2 == 0)
                set(x: i, y: 6, i % 2 == 0)
            }
            for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
                for dy in -4...4 {
                    for dx in -4...4 where (0..<size).contains(cx + dx) && (0..<size).contains(cy + dy) {
                        let ring = max(abs(dx), abs(dy))
                        set(x: cx + dx, y: cy + dy, ring != 2 && ring != 4)
                    }
                }
            }
            let centres = QRCode.alignmentCentres(version: version)
            for (i, cx) in centres.enumerated() {
                for (j, cy) in centres.enumerated() {
                    let last = centres.count - 1
                    if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                    for dy in -2...2 {
                        for dx in -2...2 { set(x: cx + dx, y: cy + dy, max(abs(dx), abs(dy)) != 1) }
                    }
                }
            }
            drawFormat(0)
            if version >= 7 {
                var remainder = version
                for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
                let bits = version << 12 | remainder
                for i in 0..<18 {
                    let bit = (bits >> i) & 1 == 1
                    set(x: size - 11 + i % 3, y: i / 3, bit)
                    set(x: i / 3, y: size - 11 + i % 3, bit)
                }
            }
        }

        /// The 15 format bits (level and mask, BCH-protected and masked with 0x5412) in both of their
        /// places, and the single dark module beside the bottom-left finder.
        mutating func drawFormat(_ formatData: Int) {
            var remainder = formatData
            for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
            let bits = (formatData << 10 | remainder) ^ 0x5412
            func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
            for i in 0...5 { set(x: 8, y: i, bit(i)) }
            set(x: 8, y: 7, bit(6))
            set(x: 8, y: 8, bit(7))
            set(x: 7, y: 8, bit(8))
            for i in 9..<15 { set(x: 14 - i, y: 8, bit(i)) }
            for i in 0..<8 { set(x: size - 1 - i, y: 8, bit(i)) }
            for i in 8..<15 { set(x: 8, y: size - 15 + i, bit(i)) }
            set(x: 8, y: size - 8, true)
        }

        /// Fills the data modules with `codewords`, most significant bit first; modules left over are the
        /// remainder bits and stay light.
        mutating func place(_ codewords: [UInt8]) {
            var index = 0
            var right = size - 1
            while right >= 1 {
                if right == 6 { right = 5 }  // the vertical timing line is skipped
                let upward = (right + 1) & 2 == 0
                for step in 0..<size {
                    let y = upward ? size - 1 - step : step
                    for x in [right, right - 1] where !reserved[y * size + x] && index < codewords.count * 8 {
                        dark[y * size + x] = (codewords[index >> 3] >> (7 - (index & 7))) & 1 == 1
                        index += 1
                    }
                }
                right -= 2
            }
        }

        /// This grid with mask pattern `mask` applied to the data modules and its format information written.
        func masked(_ mask: Int, correction: Correction) -> Grid {
            var grid = self
            for y in 0..<size {
                for x in 0..<size where !reserved[y * size + x] && Self.inverts(mask, x: x, y: y) {
                    grid.dark[y * size + x].toggle()
                }
            }
            grid.drawFormat(correction.formatBits << 3 | mask)
            grid.mask = mask
            return grid
        }

        /// Whether mask pattern `mask` inverts the module in column `x`, row `y` (ISO/IEC 18004 Table 10).
        static func inverts(_ mask: Int, x: Int, y: Int) -> Bool {
            switch mask {
            case 0: (x + y) % 2 == 0
            case 1: y % 2 == 0
            case 2: x % 3 == 0
            case 3: (x + y) % 3 == 0
            case 4: (y / 2 + x / 3) % 2 == 0
            case 5: x * y % 2 + x * y % 3 == 0
            case 6: (x * y % 2 + x * y % 3) % 2 == 0
            default: ((x + y) % 2 + x * y % 3) % 2 == 0
            }
        }
    }
}
