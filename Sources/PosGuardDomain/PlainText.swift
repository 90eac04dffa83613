/// What text PosGuard accepts from people and devices: no control characters and no invisible format
/// characters. A NUL ends the string for some readers, so `admin@x\u{0}.y` would show as `admin@x`; a
/// right-to-left override or a zero-width space makes one name look like another. Text that names someone
/// or something must read the same to everyone who sees it.
public enum PlainText {
    /// Why `text` is refused, or nil when it is plain. Tabs and line breaks pass only when `multiline`.
    public static func problem(in text: String, multiline: Bool) -> String? {
        // Most text is printable ASCII, plain by definition: no lookup of Unicode properties for it, and its
        // bytes read straight from the string's storage.
        var text = text
        if text.withUTF8({ $0.allSatisfy { (0x20...0x7E).contains($0) } }) { return nil }
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control:
                if multiline && (scalar == "\n" || scalar == "\r" || scalar == "\t") { continue }
                return multiline
                    ? "must not contain control characters (found U+\(hex(scalar)))"
                    : "must be a single line without control characters (found U+\(hex(scalar)))"
            case .format where scalar != "\u{200D}":
                // The zero-width joiner is kept: emoji sequences need it, and it cannot reorder text.
                return "must not contain invisible formatting characters (found U+\(hex(scalar)))"
            case .lineSeparator, .paragraphSeparator:
                if multiline { continue }
                return "must be a single line (found U+\(hex(scalar)))"
            default:
                continue
            }
        }
        return nil
    }

    static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
