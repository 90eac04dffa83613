/// One ISO 8583 message: its type indicator and its data elements by number, as text.
public struct ISOMessage: Sendable, Equatable {
    public var mti: String
    public var fields: [Int: String]

    public init(mti: String, fields: [Int: String] = [:]) {
        self.mti = mti
        self.fields = fields
    }

    public subscript(field: Int) -> String? {
        get { fields[field] }
        set { fields[field] = newValue }
    }

    /// The MTI of the answer to this request: `0100` → `0110`, `0200` → `0210`.
    public var responseMTI: String? {
        var digits = Array(mti)
        guard digits.count == 4, let function = digits[2].wholeNumberValue, function % 2 == 0 else { return nil }
        digits[2] = Character(String(function + 1))
        return String(digits)
    }
}

/// What is wrong with a message, and where.
public struct ISOFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The field at fault (0 for the MTI, 1 for the bitmap).
    public var field: Int
    public var message: String

    public init(field: Int, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { field <= 1 ? message : "field \(field): \(message)" }
}
