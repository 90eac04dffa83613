/// Packs and unpacks messages by a table of field layouts. Framing (the 2-byte length prefix) is the
/// transport's business, not the codec's.
public struct ISOCodec: Sendable {
    public let specs: [Int: FieldSpec]

    public init(specs: [Int: FieldSpec] = FieldSpec.iso1987) { self.specs = specs }

    public func decode(_ bytes: some Collection<UInt8>) throws(ISOFormatError) -> ISOMessage {
        let b = Array(bytes)
        var at = 0
        func take(_ count: Int, field: Int) throws(ISOFormatError) -> ArraySlice<UInt8> {
            guard count >= 0, at + count <= b.count else {
                throw ISOFormatError(field: field, "the message ends too early")
            }
            defer { at += count }
            return b[at..<(at + count)]
        }
        let mti = try take(4, field: 0)
        guard mti.allSatisfy(Self.isDigit) else { throw ISOFormatError(field: 0, "the MTI must be four digits") }
        var present = try Self.bitmap(try take(16, field: 1))
        if present.contains(1) {
            present.remove(1)
            present.formUnion(try Self.bitmap(try take(16, field: 1)).map { $0 + 64 })
        }
        var fields: [Int: String] = [:]
        for field in present.sorted() {
            guard let spec = specs[field] else {
                throw ISOFormatError(field: field, "is not a field this server reads")
            }
            let length: Int
            switch spec.length {
            case .fixed(let n): length = n
            case .ll, .lll:
                let (digits, max) = spec.length.prefix
                let prefix = try take(digits, field: field)
                guard prefix.allSatisfy(Self.isDigit), let n = Int(String(decoding: prefix, as: UTF8.self)), n <= max
                else {
                    throw ISOFormatError(field: field, "has a bad length prefix")
                }
                length = n
            }
            let value = try take(length, field: field)
            try Self.check(value, spec.charset, field: field)
            fields[field] = String(decoding: value, as: UTF8.self)
        }
        guard at == b.count else { throw ISOFormatError(field: present.max() ?? 1, "is followed by unexpected bytes") }
        return ISOMessage(mti: String(decoding: mti, as: UTF8.self), fields: fields)
    }

    public func encode(_ message: ISOMessage) throws(ISOFormatError) -> [UInt8] {
        guard message.mti.utf8.count == 4, message.mti.utf8.allSatisfy(Self.isDigit) else {
            throw ISOFormatError(field: 0, "the MTI must be four digits")
        }
        let numbers = message.fields.keys.sorted()
        guard numbers.allSatisfy({ (2...128).contains($0) }) else {
            throw ISOFormatError(field: 1, "fields are numbered 2 to 128")
        }
        let secondary = numbers.contains { $0 > 64 }
        var out = Array(message.mti.utf8)
        out += Self.hex(bits: Set(numbers.filter { $0 <= 64 } + (secondary ? [1] : [])), offset: 0)
        if secondary { out += Self.hex(bits: Set(numbers.filter { $0 > 64 }), offset: 64) }
        for field in numbers {
            guard let spec = specs[field] else { throw ISOFormatError(field: field, "has no layout") }
            let value = Array(message.fields[field]!.utf8)
            try Self.check(value[...], spec.charset, field: field)
            switch spec.length {
            case .fixed(let n):
                guard value.count == n else { throw ISOFormatError(field: field, "must be exactly \(n) characters") }
            case .ll, .lll:
                let (digits, max) = spec.length.prefix
                guard value.count <= max else {
                    throw ISOFormatError(field: field, "must be at most \(max) characters")
                }
                let count = String(value.count)
                out += Array((String(repeating: "0", count: digits - count.count) + count).utf8)
            }
            out += value
        }
        return out
    }

    static func isDigit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }

    static func check(_ value: ArraySlice<UInt8>, _ charset: FieldSpec.Charset, field: Int) throws(ISOFormatError) {
        switch charset {
        case .numeric:
            guard value.allSatisfy(isDigit) else { throw ISOFormatError(field: field, "must be digits") }
        case .text:
            guard value.allSatisfy({ (0x20..<0x7F).contains($0) }) else {
                throw ISOFormatError(field: field, "must be printable ASCII")
            }
        case .binaryHex:
            guard value.allSatisfy({ isDigit($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }) else {
                throw ISOFormatError(field: field, "must be hexadecimal")
            }
        }
    }

    /// Field numbers present in a 64-bit bitmap written as 16 hex digits (bit 1 is the most significant).
    static func bitmap(_ hex: ArraySlice<UInt8>) throws(ISOFormatError) -> Set<Int> {
        var bits = Set<Int>()
        for (i, c) in hex.enumerated() {
            let nibble: UInt8
            switch c {
            case 0x30...0x39: nibble = c - 0x30
            case 0x41...0x46: nibble = c - 0x37
            case 0x61...0x66: nibble = c - 0x57
            default: throw ISOFormatError(field: 1, "the bitmap must be hexadecimal")
            }
            for bit in 0..<4 where nibble & (8 >> bit) != 0 { bits.insert(i * 4 + bit + 1) }
        }
        return bits
    }

    static func hex(bits: Set<Int>, offset: Int) -> [UInt8] {
        var out: [UInt8] = []
        for i in 0..<16 {
            var nibble = 0
            for bit in 0..<4 where bits.contains(offset + i * 4 + bit + 1) { nibble |= 8 >> bit }
            out.append(Array("0123456789ABCDEF".utf8)[nibble])
        }
        return out
    }
}
