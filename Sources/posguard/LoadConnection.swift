import Foundation
import NIOCore
import NIOPosix

/// One keep-alive HTTP/1.1 connection of the fleet benchmark's load generator: it writes requests already
/// encoded to bytes and reads each answer's status and length, nothing more, so that the load costs the
/// machine as little as possible beside the server it measures. One request at a time; everything about it
/// happens on its channel's event loop.
final class LoadConnection: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let channel: any Channel
    private let reader: NIOLoopBound<AnswerReader>

    private init(channel: any Channel, reader: NIOLoopBound<AnswerReader>) {
        self.channel = channel
        self.reader = reader
    }

    static func connect(host: String, port: Int, on group: any EventLoopGroup) async throws -> LoadConnection {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(AnswerReader()) }
            }
            .connect(host: host, port: port).get()
        let reader = try await channel.eventLoop.submit {
            NIOLoopBound(
                try channel.pipeline.syncOperations.handler(type: AnswerReader.self), eventLoop: channel.eventLoop)
        }.get()
        return LoadConnection(channel: channel, reader: reader)
    }

    /// Writes one encoded request; `answered` is called on the channel's loop with the answer's status or
    /// why none came. Call on the channel's loop, with no request outstanding.
    func send(_ request: ByteBuffer, answered: @escaping (Result<Int, any Error>) -> Void) {
        channel.eventLoop.preconditionInEventLoop()
        precondition(reader.value.answered == nil, "one request at a time")
        reader.value.answered = answered
        reader.value.sent += 1
        // A connection already closed answers nothing: its failure is the answer (unless one came meanwhile).
        let sent = reader.value.sent
        channel.writeAndFlush(request).assumeIsolated().whenFailure { [reader] error in
            if reader.value.sent == sent { reader.value.finish(.failure(error)) }
        }
    }

    func close() async {
        try? await channel.close()
    }

    /// Encodes a request with a body as HTTP/1.1 bytes.
    static func encode(
        method: String, path: String, host: String, headers: [(String, String)], body: [UInt8] = []
    ) -> ByteBuffer {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" {
            head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n"
        }
        head += "\r\n"
        var buffer = ByteBuffer(string: head)
        buffer.writeBytes(body)
        return buffer
    }
}

/// Reads answers off the wire: the status from the status line, then as many bytes as `Content-Length` says.
private final class AnswerReader: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    var answered: ((Result<Int, any Error>) -> Void)?
    /// Requests written so far.
    var sent = 0
    private var received = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        while let status = takeAnswer() { finish(.success(status)) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(LoadConnection.Failure(description: "the server closed the connection")))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    /// Hands the outcome to whoever waits for it (who may send the next request at once); nobody waits after.
    func finish(_ outcome: Result<Int, any Error>) {
        let waiting = answered
        answered = nil
        waiting?(outcome)
    }

    /// The status of the first complete answer in `received`, consumed; nil while it is incomplete. Read
    /// from the bytes, with no text made of them: the load generator's work per answer stays small.
    private func takeAnswer() -> Int? {
        let view = received.readableBytesView
        guard let end = Self.headEnd(view) else { return nil }
        let head = view[view.startIndex..<end]
        let statusDigits = head.dropFirst(9).prefix(3)
        guard head.starts(with: "HTTP/1.".utf8), let status = Self.decimal(statusDigits), statusDigits.count == 3
        else { return reject("not an HTTP answer: \(String(decoding: head.prefix(80), as: UTF8.self))") }
        var length = 0
        for line in head.split(separator: 10).dropFirst() {
            if let value = Self.value(of: "content-length:".utf8, in: line) {
                // Optional white space around the number, and the line's CR.
                let trimmed = value.drop { $0 == 32 || $0 == 9 }.prefix { $0 != 32 && $0 != 9 && $0 != 13 }
                guard let number = Self.decimal(trimmed) else { return reject("a Content-Length that is not a number") }
                length = number
            } else if Self.value(of: "transfer-encoding:".utf8, in: line) != nil {
                return reject("a chunked answer, which the load generator does not read")
            }
        }
        let total = end - view.startIndex + 4 + length
        guard received.readableBytes >= total else { return nil }
        received.moveReaderIndex(forwardBy: total)
        received.discardReadBytes()
        return status
    }

    /// Fails the request waiting with `reason` and drops what was received: the stream is out of step.
    private func reject(_ reason: String) -> Int? {
        finish(.failure(LoadConnection.Failure(description: reason)))
        received.clear()
        return nil
    }

    /// The number the ASCII digits spell; nil for no digits, anything else, or more than 18 of them.
    private static func decimal(_ digits: some Collection<UInt8>) -> Int? {
        guard (1...18).contains(digits.count), digits.allSatisfy({ (48...57).contains($0) }) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - 48) }
    }

    /// What follows `name` (lowercase letters, `-` and `:`) when the header line starts with it in any case:
    /// the 0x20 bit makes a capital letter small (and would take a CR for `-`, which no header name holds).
    private static func value(of name: String.UTF8View, in line: ByteBufferView.SubSequence)
        -> ByteBufferView.SubSequence?
    {
        guard line.count >= name.count,
            zip(line, name).allSatisfy({ $0 | 0x20 == $1 })
        else { return nil }
        return line.dropFirst(name.count)
    }

    /// The index of the blank line ending the head, if it has arrived.
    private static func headEnd(_ view: ByteBufferView) -> ByteBufferView.Index? {
        var i = view.startIndex
        while i + 3 < view.endIndex {
            if view[i] == 13 && view[i + 1] == 10 && view[i + 2] == 13 && view[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }
}
