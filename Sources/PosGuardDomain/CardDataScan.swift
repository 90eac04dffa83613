/// Finds card data — a full card number (PAN) or magnetic-stripe track data — in text or JSON, so that it
/// can be refused wherever it appears, under any key (PCI DSS v4.0.1 3.3–3.5: PosGuard never needs it).
///
/// What counts:
/// - a PAN: 13 to 19 digits passing the Luhn check, written as one run or in groups separated by up to eight
///   spaces, tabs, dashes, dots, slashes, underscores or commas (`4111 1111 1111 1111`, `5500-0000-0000-0004`,
///   `4111.1111.1111.1111`), in a string, a key or a JSON number;
/// - track 1: `B`, 12 to 19 digits, `^`, a name, `^` and four digits of expiry (`%B4111…^DOE/J^2512…`);
/// - track 2: `;`, 12 to 19 digits and `=`, or a PAN followed by `=` or `D` and a YYMM expiry.
///
/// Not counted: a digit run longer than 19 (no PAN is), a short decimal fraction, the digits of a UUID
/// (`8-4-4-4-12` hex groups, as every id PosGuard issues: in about one id in 300 the digit groups joined by
/// dashes make 13 to 19 digits passing the Luhn check, and requests naming it would be refused), and — in a
/// field that holds
/// an ICCID, and only there — 18 or 19 digits starting with the telecommunications issuer identifier 89
/// (ITU-T E.118). ISO/IEC 7812 gives 89 to telecoms, so no payment card number starts with it, while SIM
/// numbers end in a Luhn check digit and would otherwise always look like one. Anywhere else the exemption
/// would let `89` + a card number through, so it is not made.
public enum CardDataScan {
    /// Whether the text holds a card number or track data anywhere. `iccidField`: the text is an ICCID field
    /// (a SIM event's `iccid`, a terminal's `iccid`, `allowed_iccids`), where SIM numbers are expected.
    public static func containsCardData(_ text: String, iccidField: Bool = false) -> Bool {
        // Track data holds a run of 12 digits and a PAN 13 digits in groups joined by separators: most text,
        // times and dates among it, has no such stretch and needs no closer look.
        var text = text
        let (longest, ascii) = text.withUTF8(digitStretch)
        let bytes: [UInt8]
        if ascii {
            guard longest >= 12 else { return false }
            bytes = Array(text.utf8)
        } else {
            // A card number written in other digits (full-width `４１１１…`, Arabic-Indic `٤١١١…`) is still one. Text
            // with fewer than 12 ASCII digits and characters of more than one byte together holds none.
            guard text.utf8.count(where: { isDigit($0) || $0 >= 0xC0 }) >= 12 else { return false }
            bytes = latinized(text)
            guard bytes.withUnsafeBufferPointer(digitStretch).longest >= 12 else { return false }
        }
        let cleaned = withoutUUIDs(bytes)
        let groups = digitGroups(cleaned)
        return containsPAN(groups, cleaned, allowingICCID: iccidField) || containsTrackData(groups, cleaned)
    }

    /// The longest stretch of digits and separators, and whether every byte is ASCII.
    static func digitStretch(_ utf8: UnsafeBufferPointer<UInt8>) -> (longest: Int, ascii: Bool) {
        var stretch = 0
        var longest = 0
        var bits: UInt8 = 0
        for byte in utf8 {
            bits |= byte
            if isDigit(byte) {
                stretch += 1
                longest = max(longest, stretch)
            } else if !isSeparator(byte) {
                stretch = 0
            }
        }
        return (longest, bits < 0x80)
    }

    /// The text as one byte per character for the scan: every decimal digit of any script as its ASCII digit,
    /// full-width forms as the ASCII they stand for, any space as a space and any dash as a dash; any other
    /// character as 0x80, which is neither digit, separator nor letter (so a UUID beside it is still one).
    static func latinized(_ text: String) -> [UInt8] {
        text.unicodeScalars.map { scalar in
            if scalar.isASCII { return UInt8(scalar.value) }
            let properties = scalar.properties
            if properties.numericType == .decimal, let value = properties.numericValue, (0...9).contains(value) {
                return 0x30 + UInt8(value)
            }
            if (0xFF01...0xFF5E).contains(scalar.value) { return UInt8(scalar.value - 0xFEE0) }
            switch properties.generalCategory {
            case .spaceSeparator: return 0x20
            case .dashPunctuation: return 0x2D
            default: return 0x80
            }
        }
    }

    /// Whether a field of this name holds ICCIDs.
    public static func isICCIDField(_ name: String) -> Bool {
        let name = name.lowercased()
        return name == "iccid" || name.hasPrefix("allowed_iccids")
    }

    /// Whether any key, string or number inside the value holds card data.
    public static func containsCardData(_ value: JSONValue) -> Bool { location(in: value) != nil }

    /// Where in the value card data sits, as a path such as `card_number`, `payment.track2` or `items[2]`,
    /// for a refusal that names the field without repeating the digits. A key that is itself card data is
    /// named as `a key of <parent>`. Nil when there is none.
    public static func location(in value: JSONValue) -> String? {
        value.firstFlagged(text: { containsCardData($0) }, number: containsCardData)
    }

    /// Why a text holding card data is refused (never repeating the digits).
    public static let refusal = "holds card data: PosGuard never accepts full card numbers or track data here"

    /// What stands in for card data removed from something already stored.
    public static let removed = JSONValue.string("[card data removed]")

    /// The value with every string or number holding card data replaced by `removed`, and every key that is
    /// card data dropped: for cleaning what an earlier version stored before it refused card data.
    public static func redacted(_ value: JSONValue) -> JSONValue {
        switch value {
        case .null, .bool: return value
        case .string(let text): return containsCardData(text) ? removed : value
        case .number(let number): return containsCardData(number) ? removed : value
        case .array(let items): return .array(items.map(redacted))
        case .object(let members):
            var kept: [String: JSONValue] = [:]
            for (key, member) in members where !containsCardData(key) { kept[key] = redacted(member) }
            return .object(kept)
        }
    }

    /// Whether the digits (ASCII `0`…`9` only) pass the Luhn check.
    public static func passesLuhn(_ digits: some Collection<UInt8>) -> Bool {
        var sum = 0
        for (index, byte) in digits.reversed().enumerated() {
            let digit = Int(byte) - 48
            guard (0...9).contains(digit) else { return false }
            let weighted = index % 2 == 1 ? digit * 2 : digit
            sum += weighted > 9 ? weighted - 9 : weighted
        }
        return !digits.isEmpty && sum % 10 == 0
    }

    static let panLengths = 13...19

    /// A JSON number is read as a double, which holds every integer up to 2^53 exactly. A whole number of
    /// 13 or more digits below that is checked like text; one above it (up to 19 digits) has lost the digits
    /// that would tell, and no event field carries such a number, so it is counted as a card number.
    static func containsCardData(_ number: Double) -> Bool {
        let magnitude = number.magnitude
        guard magnitude.isFinite, magnitude >= 1e12 else { return false }
        if magnitude >= 9_007_199_254_740_992 { return magnitude < 1e19 }
        return containsCardData(String(Int64(magnitude.rounded(.towardZero))))
    }

    /// A maximal run of ASCII digits, and whether it follows the previous run with only separators between.
    struct Group {
        var start: Int
        var end: Int
        var joinsPrevious: Bool
        /// The digits after a decimal point (`52.520008123456`): precise coordinates and computed amounts have
        /// long fractions, which are never a card number.
        var isFraction: Bool
        var count: Int { end - start }
    }

    static func isDigit(_ byte: UInt8) -> Bool { (48...57).contains(byte) }

    /// Space, tab, dash, dot, slash, underscore and comma separate the groups of a card number as people
    /// write it.
    static func isSeparator(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x20, 0x09, 0x2D, 0x2E, 0x2F, 0x5F, 0x2C: true
        default: false
        }
    }

    /// The bytes with every UUID (`8-4-4-4-12` hex digits, standing on its own) blanked out.
    static func withoutUUIDs(_ bytes: [UInt8]) -> [UInt8] {
        let shape = [8, 4, 4, 4, 12]
        guard bytes.count >= 36 else { return bytes }
        var out = bytes
        var index = 0
        func isHex(_ b: UInt8) -> Bool { isDigit(b) || (0x41...0x46).contains(b) || (0x61...0x66).contains(b) }
        func isWordByte(_ b: UInt8) -> Bool { isHex(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
        while index + 36 <= bytes.count {
            var position = index
            var matches = index == 0 || !isWordByte(bytes[index - 1]) && bytes[index - 1] != 0x2D
            for (n, length) in shape.enumerated() where matches {
                matches = (position..<position + length).allSatisfy { isHex(bytes[$0]) }
                position += length
                if n < shape.count - 1 {
                    matches = matches && bytes[position] == 0x2D
                    position += 1
                }
            }
            matches = matches && (position == bytes.count || !isWordByte(bytes[position]) && bytes[position] != 0x2D)
            if matches {
                for i in index..<position { out[i] = 0x78 }
                index = position
            } else {
                index += 1
            }
        }
        return out
    }

    /// How many separator characters may stand between two groups of one card number.
    static let maximumSeparation = 8

    static func digitGroups(_ bytes: [UInt8]) -> [Group] {
        var groups: [Group] = []
        var index = 0
        while index < bytes.count {
            guard isDigit(bytes[index]) else {
                index += 1
                continue
            }
            let start = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            var joins = false
            if let last = groups.last, start - last.end <= maximumSeparation, start > last.end {
                joins = (last.end..<start).allSatisfy { isSeparator(bytes[$0]) }
            }
            // A fraction long enough to be a card number on its own (`0.4111111111111111`) gets no pass.
            let fraction =
                start >= 2 && bytes[start - 1] == 0x2E && isDigit(bytes[start - 2])
                && index - start < panLengths.lowerBound
            groups.append(Group(start: start, end: index, joinsPrevious: joins, isFraction: fraction))
        }
        return groups
    }

    /// Every run of whole groups joined by separators whose digits number 13 to 19 is a candidate: a PAN may
    /// stand next to other numbers, but is never cut inside a group.
    private static func containsPAN(_ groups: [Group], _ bytes: [UInt8], allowingICCID: Bool) -> Bool {
        var digits: [UInt8] = []
        digits.reserveCapacity(19)
        for first in groups.indices where !groups[first].isFraction {
            digits.removeAll(keepingCapacity: true)
            var last = first
            while last < groups.count, last == first || groups[last].joinsPrevious {
                let group = groups[last]
                guard digits.count + group.count <= panLengths.upperBound else { break }
                digits.append(contentsOf: bytes[group.start..<group.end])
                if panLengths.contains(digits.count), passesLuhn(digits),
                    !(allowingICCID && last == first && isICCID(digits))
                {
                    return true
                }
                last += 1
            }
        }
        return false
    }

    /// 18 or 19 digits under the telecommunications issuer identifier: a SIM's ICCID, not a card.
    static func isICCID(_ digits: [UInt8]) -> Bool {
        (18...19).contains(digits.count) && digits[0] == 0x38 && digits[1] == 0x39
    }

    private static func containsTrackData(_ groups: [Group], _ bytes: [UInt8]) -> Bool {
        func byte(_ index: Int) -> UInt8? { bytes.indices.contains(index) ? bytes[index] : nil }
        func isExpiry(at index: Int) -> Bool {
            guard index + 4 <= bytes.count, (index..<index + 4).allSatisfy({ isDigit(bytes[$0]) }) else { return false }
            let month = Int(bytes[index + 2] - 48) * 10 + Int(bytes[index + 3] - 48)
            return (1...12).contains(month)
        }
        for group in groups where (12...19).contains(group.count) {
            let before = byte(group.start - 1)
            let after = byte(group.end)
            // Track 2 with its start sentinel: `;PAN=…`.
            if before == 0x3B, after == 0x3D { return true }
            // Track 2 (or EMV tag 57) without sentinels: a PAN, `=` or `D`, then the expiry.
            if after == 0x3D || after == 0x44 || after == 0x64, isExpiry(at: group.end + 1),
                panLengths.contains(group.count), passesLuhn(bytes[group.start..<group.end])
            {
                return true
            }
            // Track 1: `B`, the PAN, `^`, a name of up to 26 characters, `^`, then the expiry.
            if before == 0x42 || before == 0x62, after == 0x5E {
                let nameStart = group.end + 1
                var caret = nameStart
                while caret < bytes.count, caret - nameStart <= 26, bytes[caret] != 0x5E { caret += 1 }
                if byte(caret) == 0x5E, isExpiry(at: caret + 1) { return true }
            }
        }
        return false
    }
}
