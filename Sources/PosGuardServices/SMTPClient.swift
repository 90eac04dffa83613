import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how to send email. Described without its password, wherever it is printed.
public struct SMTPSettings: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    public var from: String
    /// PEM file of a certificate authority to trust besides the system's (a private mail relay).
    public var trustedCAFile: String?
    /// The most one message may take, from connecting to the server's last answer: a server that stalls is
    /// left, and the message retried later, before another sender's claim on it could lapse.
    public var deadline: Duration

    public init(
        host: String, port: Int = 587, username: String? = nil, password: String? = nil, from: String,
        trustedCAFile: String? = nil, deadline: Duration = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.from = from
        self.trustedCAFile = trustedCAFile
        self.deadline = deadline
    }

    public var description: String {
        "SMTP \(username.map { "\($0)@" } ?? "")\(host):\(port), from \(from)\(password == nil ? "" : ", with a password")"
    }
}

/// A minimal SMTP client (RFC 5321): EHLO, STARTTLS whenever the server offers it (RFC 3207), AUTH PLAIN
/// only over TLS, one message per connection.
public struct SMTPClient: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    let settings: SMTPSettings

    public init(settings: SMTPSettings) { self.settings = settings }

    /// Sends one message; throws with the server's words when it refuses, or when it takes longer than the
    /// deadline.
    public func send(to recipient: String, subject: String, body: String, at date: Date) async throws {
        let began = ContinuousClock.now
        do {
            try await converse(to: recipient, subject: subject, body: body, at: date)
        } catch  where ContinuousClock.now - began >= settings.deadline {
            throw Failure(description: "the mail server did not finish within \(settings.deadline)")
        }
    }

    private func converse(to recipient: String, subject: String, body: String, at date: Date) async throws {
        let deadline = TimeAmount.nanoseconds(
            settings.deadline.components.seconds * 1_000_000_000 + settings.deadline.components.attoseconds
                / 1_000_000_000)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        let stall = channel.channel.eventLoop.scheduleTask(in: deadline) { channel.channel.close(promise: nil) }
        defer { stall.cancel() }
        try await channel.executeThenClose { inbound, outbound in
            var lines = inbound.makeAsyncIterator()
            func reply(_ expected: Int) async throws -> [String] {
                var text: [String] = []
                while true {
                    guard let buffer = try await lines.next() else {
                        throw Failure(description: "the mail server closed the connection")
                    }
                    let line = String(buffer: buffer).trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
                    text.append(line)
                    if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { break }
                }
                guard let code = Int(text.last?.prefix(3) ?? ""), code == expected else {
                    throw Failure(description: "the mail server answered \(text.joined(separator: " / "))")
                }
                return text
            }
            func command(_ line: String, _ expected: Int) async throws -> [String] {
                try await outbound.write(ByteBuffer(string: line + "\r\n"))
                return try await reply(expected)
            }
            _ = try await reply(220)
            var capabilities = try await command("EHLO posguard", 250)
            var secure = false
            if capabilities.contains(where: { $0.dropFirst(4).uppercased() == "STARTTLS" }) {
                _ = try await command("STARTTLS", 220)
                var tls = TLSConfiguration.makeClientConfiguration()
                if let ca = settings.trustedCAFile {
                    tls.additionalTrustRoots = [.file(ca)]
                }
                // SNI carries names only: for a server given by IP address, send none (the certificate is still checked).
                let isAddress = (try? SocketAddress(ipAddress: settings.host, port: 0)) != nil
                let handler = try NIOSSLClientHandler(
                    context: NIOSSLContext(configuration: tls), serverHostname: isAddress ? nil : settings.host)
                try await channel.channel.pipeline.addHandler(handler, position: .first).get()
                secure = true
                capabilities = try await command("EHLO posguard", 250)
            }
            if let user = settings.username, let password = settings.password {
                guard secure else {
                    throw Failure(
                        description: "the mail server offers no STARTTLS: refusing to send credentials in clear")
                }
                let token = Data("\0\(user)\0\(password)".utf8).base64EncodedString()
                _ = try await command("AUTH PLAIN \(token)", 235)
            }
            _ = try await command("MAIL FROM:<\(settings.from)>", 250)
            _ = try await command("RCPT TO:<\(recipient)>", 250)
            _ = try await command("DATA", 354)
            let message = Self.message(from: settings.from, to: recipient, subject: subject, body: body, at: date)
            _ = try await command(message + "\r\n.", 250)
            _ = try? await command("QUIT", 221)
        }
    }

    /// An RFC 5322 message: UTF-8 subject as an encoded word, body in base64, lines dot-stuffed.
    static func message(from: String, to: String, subject: String, body: String, at date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let encodedSubject = "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        let bodyLines = Data(body.utf8).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
        let domain = from.split(separator: "@").last.map(String.init) ?? "posguard"
        let headers = [
            "From: PosGuard <\(from)>", "To: <\(to)>", "Subject: \(encodedSubject)",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(UUID().uuidString.lowercased())@\(domain)>", "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64",
        ]
        return (headers + [""] + bodyLines.components(separatedBy: "\r\n")).map { $0.hasPrefix(".") ? "." + $0 : $0 }
            .joined(separator: "\r\n")
    }
}

/// Splits what the mail server sends into lines (ending in LF, the CR left for the reader to trim).
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    /// A server line longer than this is a broken or hostile server.
    static let maximumLine = 4096

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.maximumLine {
                throw SMTPClient.Failure(description: "the mail server sent an overlong line")
            }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        let line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}
