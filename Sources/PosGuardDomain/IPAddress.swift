/// An IPv4 or IPv6 address as a number, read from any text form a URL host or a resolver may carry.
public enum IPAddress: Sendable, Hashable, CustomStringConvertible {
    case v4(UInt32)
    case v6(UInt128)

    /// The address a URL host names, read the way the system's resolver reads it — so that what is checked is
    /// what a connection would reach. IPv4 takes every `inet_aton` form: 1 to 4 parts, each decimal, octal
    /// (leading `0`) or hex (`0x`), the last part filling the remaining bytes (`127.1`, `2130706433`,
    /// `0x7f000001`, `0177.0.0.1`), and text after a blank ignored. IPv6 may come in brackets and with a
    /// zone id (`fe80::1%eth0`, `[fe80::1%25eth0]`). Nil for a host name.
    public init?(host: String) {
        var text = Substring(host)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if text.contains(":") {
            // A zone id only says which interface to leave by; the address is the part before it.
            if let percent = text.firstIndex(of: "%") { text = text[..<percent] }
            guard let value = Self.parseV6(text) else { return nil }
            self = .v6(value)
        } else {
            guard let value = Self.parseLenientV4(text) else { return nil }
            self = .v4(value)
        }
    }

    /// The address in its one canonical text form only: dotted-decimal IPv4 or RFC 4291 IPv6 (no brackets, no
    /// zone). For configuration, where `010.0.0.1` is more likely a typo than octal.
    public init?(canonical text: String) {
        if text.contains(":") {
            guard let value = Self.parseV6(Substring(text)) else { return nil }
            self = .v6(value)
        } else {
            guard let value = Self.parseDottedQuad(Substring(text)) else { return nil }
            self = .v4(value)
        }
    }

    /// How many bits the address has: 32 or 128.
    public var bitWidth: Int {
        switch self {
        case .v4: 32
        case .v6: 128
        }
    }

    /// Dotted-decimal for IPv4; RFC 5952 for IPv6 (lower case, the longest run of zero groups shortened to
    /// `::`, an IPv4-mapped address ending in dotted-decimal).
    public var description: String {
        switch self {
        case .v4(let value): return Self.dotted(value)
        case .v6(let value):
            if value >> 32 == 0xffff { return "::ffff:" + Self.dotted(UInt32(truncatingIfNeeded: value)) }
            let groups = (0..<8).map { UInt16(truncatingIfNeeded: value >> (112 - 16 * $0)) }
            var best = (start: -1, count: 1)
            var start = 0
            while start < 8 {
                var end = start
                while end < 8, groups[end] == 0 { end += 1 }
                if end - start > best.count { best = (start, end - start) }
                start = end + 1
            }
            let hex = groups.map { String($0, radix: 16) }
            guard best.start >= 0 else { return hex.joined(separator: ":") }
            return hex[..<best.start].joined(separator: ":") + "::"
                + hex[(best.start + best.count)...].joined(separator: ":")
        }
    }

    static func dotted(_ value: UInt32) -> String {
        [24, 16, 8, 0].map { String((value >> UInt32($0)) & 0xff) }.joined(separator: ".")
    }

    /// `inet_aton`: up to four parts; all but the last are one byte, the last fills what is left.
    static func parseLenientV4(_ host: Substring) -> UInt32? {
        // Like inet_aton, stop at the first blank: whatever follows it is not part of the address.
        let text = host.prefix { !" \t\n\r\u{0B}\u{0C}".contains($0) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            guard let value = number(part) else { return nil }
            values.append(value)
        }
        let lastBits = 32 - 8 * (values.count - 1)
        guard values.dropLast().allSatisfy({ $0 <= 0xff }), values.last! < (UInt64(1) << lastBits) else { return nil }
        var result: UInt64 = 0
        for (index, value) in values.dropLast().enumerated() { result |= value << UInt64(24 - 8 * index) }
        return UInt32(result | values.last!)
    }

    /// One part of an `inet_aton` address, as C's `strtoul` with base 0 reads it (a digit first, no sign).
    static func number(_ part: Substring) -> UInt64? {
        guard let first = part.first, first.isASCII, first.isNumber else { return nil }
        let hex = part.count > 1 && (part.hasPrefix("0x") || part.hasPrefix("0X"))
        let digits = hex ? part.dropFirst(2) : part
        let radix = hex ? 16 : first == "0" ? 8 : 10
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        let significant = digits.drop { $0 == "0" }
        // Leading zeros are harmless; more than 16 significant digits is far past 32 bits.
        guard significant.count <= 16 else { return nil }
        return significant.isEmpty ? 0 : UInt64(significant, radix: radix)
    }

    static func parseDottedQuad(_ text: Substring) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: UInt32 = 0
        for part in parts {
            // No leading zeros: `010` would be octal to inet_aton, so it is refused rather than guessed.
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part.count == 1 || part.first != "0", let byte = UInt8(part)
            else { return nil }
            result = result << 8 | UInt32(byte)
        }
        return result
    }

    /// RFC 4291 text: eight groups of up to four hex digits, one `::` for a run of zero groups, and
    /// optionally a dotted-decimal IPv4 address for the last 32 bits.
    static func parseV6(_ text: Substring) -> UInt128? {
        var groups: [[UInt16]] = [[], []]
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        for (side, half) in halves.enumerated() where !half.isEmpty {
            let fields = half.split(separator: ":", omittingEmptySubsequences: false)
            for (index, field) in fields.enumerated() {
                if index == fields.count - 1, side == halves.count - 1, field.contains(".") {
                    guard let v4 = parseDottedQuad(field) else { return nil }
                    groups[side] += [UInt16(v4 >> 16), UInt16(v4 & 0xffff)]
                } else {
                    guard (1...4).contains(field.count), field.allSatisfy({ $0.isASCII && $0.isHexDigit }),
                        let group = UInt16(field, radix: 16)
                    else { return nil }
                    groups[side].append(group)
                }
            }
        }
        let count = groups[0].count + groups[1].count
        if halves.count == 2 {
            guard count <= 7 else { return nil }
        } else {
            guard count == 8 else { return nil }
        }
        let all = groups[0] + Array(repeating: 0, count: 8 - count) + groups[1]
        return all.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }
}
