import Foundation
import Hummingbird
import NIOCore

/// Reads a `multipart/form-data` body part by part as it arrives: text fields are collected (with a limit), a file
/// part is streamed on to its destination and never held whole in memory.
struct MultipartFormReader {
    struct Part {
        var name: String
        var fileName: String?
        var contentType: String?
    }

    struct Malformed: Error, CustomStringConvertible {
        var description: String { "the form's body is not multipart/form-data as its header says" }
    }

    private var chunks: RequestBody.AsyncIterator
    private var buffer: [UInt8] = []
    private var finished = false
    /// `CRLF--boundary`: what ends a part's content.
    private let delimiter: [UInt8]
    private var atEnd = false

    /// The boundary of a `multipart/form-data` content type; nil for any other.
    static func boundary(of contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "boundary", !pair[1].isEmpty, pair[1].count <= 70 {
                return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return nil
    }

    init(boundary: String, body: RequestBody) {
        chunks = body.makeAsyncIterator()
        delimiter = Array("\r\n--\(boundary)".utf8)
        buffer = Array("\r\n".utf8)  // so the first boundary reads like every later one
    }

    /// The next part's headers, positioned at its content; nil after the last part.
    mutating func next() async throws -> Part? {
        guard !atEnd else { return nil }
        // Skip to the next delimiter (the preamble, or what is left of the part before).
        while true {
            if let range = buffer.firstRange(of: delimiter) {
                buffer.removeSubrange(..<range.upperBound)
                break
            }
            buffer.removeFirst(max(0, buffer.count - delimiter.count))
            guard try await fill() else { throw Malformed() }
        }
        while buffer.count < 2 { guard try await fill() else { throw Malformed() } }
        if buffer.starts(with: Array("--".utf8)) {
            atEnd = true
            return nil
        }
        let headEnd = Array("\r\n\r\n".utf8)
        while buffer.firstRange(of: headEnd) == nil {
            guard buffer.count < 16 * 1024, try await fill() else { throw Malformed() }
        }
        let range = buffer.firstRange(of: headEnd)!
        let head = String(decoding: buffer[..<range.lowerBound], as: UTF8.self)
        buffer.removeSubrange(..<range.upperBound)
        var part = Part(name: "")
        for line in head.split(separator: "\r\n") {
            let pair = line.split(separator: ":", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let value = pair[1].trimmingCharacters(in: .whitespaces)
            switch pair[0].lowercased() {
            case "content-disposition":
                part.name = Self.parameter("name", in: value) ?? ""
                part.fileName = Self.parameter("filename", in: value)
            case "content-type":
                part.contentType = value
            default:
                break
            }
        }
        return part
    }

    /// The current part's content as text, up to `limit` bytes.
    mutating func text(limit: Int) async throws -> String {
        var bytes: [UInt8] = []
        try await stream { chunk in
            bytes += chunk
            guard bytes.count <= limit else { throw Request.tooLarge(limit) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Hands the current part's content to `write` as it arrives.
    mutating func stream(_ write: ([UInt8]) throws -> Void) async throws {
        while true {
            if let range = buffer.firstRange(of: delimiter) {
                if range.lowerBound > 0 { try write(Array(buffer[..<range.lowerBound])) }
                buffer.removeSubrange(..<range.lowerBound)
                return
            }
            // All but what could be the start of the delimiter is content.
            let safe = buffer.count - (delimiter.count - 1)
            if safe > 0 {
                try write(Array(buffer[..<safe]))
                buffer.removeFirst(safe)
            }
            guard try await fill() else { throw Malformed() }
        }
    }

    private mutating func fill() async throws -> Bool {
        guard !finished, let chunk = try await chunks.next() else {
            finished = true
            return false
        }
        buffer += chunk.readableBytesView
        return true
    }

    /// A parameter of a `Content-Disposition` value, quoted or not.
    static func parameter(_ name: String, in value: String) -> String? {
        for item in value.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == name else { continue }
            var text = pair[1]
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 {
                text = String(text.dropFirst().dropLast())
            }
            return text.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return nil
    }
}
