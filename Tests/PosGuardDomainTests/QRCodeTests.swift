import Crypto
import Foundation
import PosGuardDomain
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

@Suite("QR codes")
struct QRCodeTests {
    /// The symbol's modules as rows of `#` (dark) and `.` (light), as the reference matrices are written.
    static func rows(_ code: QRCode) -> String {
        (0..<code.size).map { y in
            String((0..<code.size).map { x in code.isDark(x: x, y: y) ? "#" : "." })
        }.joined(separator: "\n")
    }

    /// The text that exactly fills a version in the reference digests (scripts/qr-reference.py makes the same).
    static func filler(_ count: Int) -> String {
        let alphabet = Array("PosGuard-0123456789 abcdefghijklmnopqrstuvwxyz:/?=&%")
        return String((0..<count).map { alphabet[$0 * 7 % alphabet.count] })
    }

    static let references = [
        QRCodeReferences.short, QRCodeReferences.enrolment, QRCodeReferences.longLabel, QRCodeReferences.chinese,
        QRCodeReferences.shortMaskFive,
    ]

    @Test(arguments: references)
    func matchesTheReferenceMatrix(_ reference: QRCodeReferences.Matrix) throws {
        let code = try QRCode(reference.text, mask: reference.mask)
        #expect(code.version == reference.version)
        #expect(code.size == 17 + 4 * reference.version)
        #expect(code.mask == reference.chosenMask)
        #expect(Self.rows(code) == reference.rows)
    }

    @Test func theReferencesCoverWhatTheyAreFor() throws {
        #expect(QRCodeReferences.enrolment.text.hasPrefix("otpauth://totp/PosGuard:alice%40example.com?secret="))
        #expect(QRCodeReferences.longLabel.version >= 7)  // version information is drawn
        #expect(QRCodeReferences.chinese.text.utf8.count > QRCodeReferences.chinese.text.count)
        // The forced mask is not the one the penalty would choose, so both paths are exercised.
        #expect(QRCodeReferences.short.chosenMask != QRCodeReferences.shortMaskFive.chosenMask)
    }

    /// A text that exactly fills each version at each level: the version chosen, the mask chosen and every
    /// module (by digest) are the reference's.
    @Test(arguments: QRCodeReferences.fullVersions.indices)
    func everyVersionAndLevelMatchesTheReferenceDigest(_ index: Int) throws {
        let (correction, version, length, mask, digest) = QRCodeReferences.fullVersions[index]
        let code = try QRCode(Self.filler(length), correction: correction)
        #expect(code.version == version)
        #expect(code.mask == mask)
        let actual = SHA256.hash(data: Data(Self.rows(code).utf8)).map { String(format: "%02x", $0) }.joined()
        #expect(actual == digest, "\(correction) version \(version)")
    }

    @Test func oneByteMoreTakesTheNextVersion() throws {
        for (correction, version, length, _, _) in QRCodeReferences.fullVersions where [1, 9, 26, 39].contains(version)
        {
            #expect(try QRCode(Self.filler(length + 1), correction: correction).version == version + 1)
        }
    }

    @Test func tooLongTextIsRefused() throws {
        #expect(QRCode.capacity(correction: .medium) == 2331)
        #expect(QRCode.capacity(correction: .low) == 2953)
        _ = try QRCode(String(repeating: "a", count: 2331))
        #expect(throws: QRCode.Refusal.self) { try QRCode(String(repeating: "a", count: 2332)) }
        // Capacity is counted in UTF-8 bytes: 778 three-byte characters are 2334 bytes.
        let error = #expect(throws: QRCode.Refusal.self) { try QRCode(String(repeating: "码", count: 778)) }
        #expect(
            error?.description
                == "text is 2334 bytes of UTF-8; a QR code holds at most 2331 at this error correction level")
        #expect(throws: QRCode.Refusal.self) { try QRCode("PosGuard", mask: 8) }
    }

    @Test func outsideTheSymbolIsTheLightQuietZone() throws {
        let code = try QRCode("PosGuard")
        #expect(code.isDark(x: 0, y: 0))
        #expect(!code.isDark(x: -1, y: 0))
        #expect(!code.isDark(x: 0, y: code.size))
    }

    @Test func svgIsWellFormedAndSized() throws {
        let code = try QRCode(QRCodeReferences.enrolment.text)
        let svg = code.svg(moduleSize: 5, quietZone: 4, title: "Scan <this> & \"enrol\" 'now'")
        let side = code.size + 8
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""))
        #expect(svg.contains("width=\"\(side * 5)\" height=\"\(side * 5)\" viewBox=\"0 0 \(side) \(side)\""))
        #expect(svg.contains("<title>Scan &lt;this&gt; &amp; &quot;enrol&quot; &apos;now&apos;</title>"))
        #expect(svg.hasSuffix("</svg>"))

        let reader = SVGReader()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = reader
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
        #expect(reader.elements == ["svg", "title", "rect", "path"])
        #expect(reader.title == "Scan <this> & \"enrol\" 'now'")
        #expect(reader.attributes["svg"]?["role"] == "img")
        #expect(reader.attributes["svg"]?["viewBox"] == "0 0 \(side) \(side)")
        #expect(reader.attributes["rect"]?["fill"] == "#fff")

        // The path holds exactly the dark modules, shifted by the quiet zone.
        var drawn = Set<[Int]>()
        let d = try #require(reader.attributes["path"]?["d"])
        for run in d.split(separator: "z") {
            let numbers = run.split(whereSeparator: { "Mhv ".contains($0) }).map { Int($0)! }
            #expect(numbers.count == 5 && numbers[3] == 1 && numbers[4] == -numbers[2])
            for x in numbers[0]..<numbers[0] + numbers[2] { drawn.insert([x - 4, numbers[1] - 4]) }
        }
        var dark = Set<[Int]>()
        for y in 0..<code.size {
            for x in 0..<code.size where code.isDark(x: x, y: y) { dark.insert([x, y]) }
        }
        #expect(drawn == dark)
    }

    @Test func svgTitleDropsWhatXMLCannotCarry() throws {
        let svg = try QRCode("x").svg(title: "a\u{0}b\u{1B}c")
        #expect(svg.contains("<title>a\u{FFFD}b\u{FFFD}c</title>"))
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse())
    }

    @Test func svgWithoutQuietZone() throws {
        let code = try QRCode("PosGuard")
        let svg = code.svg(moduleSize: 1, quietZone: 0, title: "t")
        #expect(svg.contains("width=\"21\" height=\"21\" viewBox=\"0 0 21 21\""))
        #expect(svg.contains("d=\"M0 0h7v1h-7z"))  // the top-left finder's first row
    }
}

/// Collects the elements, their attributes and the title text of an SVG document.
final class SVGReader: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var attributes: [String: [String: String]] = [:]
    var title = ""
    private var inTitle = false

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
        attributes attributeDict: [String: String] = [:]
    ) {
        elements.append(elementName)
        attributes[elementName] = attributeDict
        inTitle = elementName == "title"
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
        inTitle = false
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inTitle { title += string }
    }
}
