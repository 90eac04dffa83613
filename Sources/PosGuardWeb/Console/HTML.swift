import PosGuardDomain

/// A piece of HTML. Text interpolated into it is escaped, so a name holding `<script>` or quotes is shown as
/// written and can never become markup; only another `HTML` value is inserted as it is. Pages are built from
/// these alone, so escaping cannot be forgotten.
struct HTML: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    private(set) var text: String

    init(stringLiteral value: String) { text = value }
    init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

    var description: String { text }

    struct Interpolation: StringInterpolationProtocol {
        var text = ""

        init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity * 2) }

        mutating func appendLiteral(_ literal: String) { text += literal }
        mutating func appendInterpolation(_ html: HTML) { text += html.text }
        mutating func appendInterpolation(_ html: [HTML]) { for part in html { text += part.text } }
        mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }
        mutating func appendInterpolation(_ value: String?) { text += HTML.escape(value ?? "") }
        mutating func appendInterpolation<N: BinaryInteger>(_ value: N) { text += String(value) }
    }

    /// Escapes text for element content and quoted attribute values alike.
    static func escape(_ value: String) -> String { HTMLText.escape(value) }

    static func join(_ parts: [HTML], separator: HTML = "") -> HTML {
        var out = HTML("")
        for (i, part) in parts.enumerated() {
            if i > 0 { out.text += separator.text }
            out.text += part.text
        }
        return out
    }
}
