extension CSV {
    /// One RFC 4180 record, ended by CRLF: fields holding a comma, quote or line break are quoted, and a field
    /// a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, tab or carriage return) is
    /// prefixed with `'` so opening the file never runs anything.
    public static func record(_ fields: [String]) -> String {
        fields.map { field -> String in
            var text = field
            if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
                text = "'" + text
            }
            guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
            return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }.joined(separator: ",") + "\r\n"
    }
}
