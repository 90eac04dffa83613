extension QRCode.Grid {
    /// The penalty score of ISO/IEC 18004 §8.8.2 (Table 11) for the symbol as it will be read, format and
    /// version information included and quiet zone left out; of the eight masks, the one with the lowest
    /// score is used, the first of them on a tie.
    ///
    /// - Runs of five or more modules of one colour in a row or column: 3, plus 1 for each module past five.
    /// - Each 2 × 2 block of one colour, overlapping blocks counted separately: 3.
    /// - Each dark-light-dark-dark-dark-light-dark run (1:1:3:1:1) with four light modules before or after it,
    ///   inside the symbol: 40.
    /// - 10 for every full 5 % the share of dark modules lies away from 50 %.
    var penalty: Int {
        var score = 0
        for vertical in [false, true] {
            for i in 0..<size {
                // One pass along the line: the run of one colour so far, and the last eleven modules as bits
                // (the latest in the lowest bit).
                var run = 0
                var window = 0
                for j in 0..<size {
                    let module = vertical ? dark[j * size + i] : dark[i * size + j]
                    if j > 0 && module == (window & 1 == 1) {
                        run += 1
                    } else {
                        if run >= 5 { score += run - 2 }
                        run = 1
                    }
                    window = (window << 1 | (module ? 1 : 0)) & 0x7FF
                    if j >= 10 && (window == 0b000_0101_1101 || window == 0b101_1101_0000) { score += 40 }
                }
                if run >= 5 { score += run - 2 }
            }
        }
        for y in 0..<size - 1 {
            for x in 0..<size - 1 {
                let colour = dark[y * size + x]
                if dark[y * size + x + 1] == colour && dark[(y + 1) * size + x] == colour
                    && dark[(y + 1) * size + x + 1] == colour
                {
                    score += 3
                }
            }
        }
        let darkCount = dark.reduce(0) { $0 + ($1 ? 1 : 0) }
        let total = size * size
        score += 10 * (abs(darkCount * 20 - total * 10) / total)
        return score
    }
}
