extension QRCode {
    /// The symbol as a standalone SVG image: a white square with the quiet zone around the symbol and one
    /// black path holding the dark modules, one subpath for each horizontal run. Modules are `moduleSize`
    /// pixels wide; `quietZone` is counted in modules (the standard asks for 4). `title` names the image for
    /// screen readers and is escaped for XML.
    public func svg(moduleSize: Int = 4, quietZone: Int = 4, title: String) -> String {
        let quiet = max(0, quietZone)
        let side = size + 2 * quiet
        let pixels = side * max(1, moduleSize)
        var path = ""
        for y in 0..<size {
            var x = 0
            while x < size {
                guard isDark(x: x, y: y) else {
                    x += 1
                    continue
                }
                let start = x
                while x < size && isDark(x: x, y: y) { x += 1 }
                path += "M\(start + quiet) \(y + quiet)h\(x - start)v1h-\(x - start)z"
            }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" role="img" width="\(pixels)" height="\(pixels)" \
            viewBox="0 0 \(side) \(side)" shape-rendering="crispEdges">\
            <title>\(Self.xmlEscaped(title))</title>\
            <rect width="\(side)" height="\(side)" fill="#fff"/>\
            <path fill="#000" d="\(path)"/></svg>
            """
    }

    /// `text` safe inside XML character data or a quoted attribute; characters XML 1.0 cannot carry at all
    /// (most control characters, unpaired surrogates cannot occur in a Swift string) become U+FFFD.
    static func xmlEscaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
