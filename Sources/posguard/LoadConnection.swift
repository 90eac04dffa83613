import Foundation
import NIOCore
import NIOPosix

/// One keep-alive HTTP/1.1 connection of the fleet benchmark's load generator: it writes requests already
/// encoded to bytes and reads each answer's status and length, nothing more, so that the load costs the
/// machine as little as possible beside the server it measures. One request at a time.
final class LoadConnection: Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let channel: any Channel
    private let handler: NIOLoopBound<AnswerReader>

    private init(channel: any Channel, handler: NIOLoopBound<AnswerReader>) {
        self.channel = channel
        self.handler = handler
    }

    static func connect(host: String, port: Int, on group: any EventLoopGroup) async throws -> LoadConnection {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(AnswerReader()) }
            }
            .connect(host: host, port: port).get()
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(
                try channel.pipeline.syncOperations.handler(type: AnswerReader.self), eventLoop: channel.eventLoop)
        }.get()
        return LoadConnection(channel: channel, handler: handler)
    }

    /// Sends one encoded request and returns the answer's status code.
    func send(_ request: ByteBuffer) async throws -> Int {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: Int.self)
        loop.execute { [handler, channel] in
            handler.value.waiting = promise
            channel.writeAndFlush(request, promise: nil)
        }
        return try await promise.futureResult.get()
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

    var waiting: EventLoopPromise<Int>?
    private var received = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
        while let status = takeAnswer() {
            let promise = waiting
            waiting = nil
            promise?.succeed(status)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(LoadConnection.Failure(description: "the server closed the connection"))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error)
        context.close(promise: nil)
    }

    private func fail(_ error: any Error) {
        let promise = waiting
        waiting = nil
        promise?.fail(error)
    }

    /// The status of the first complete answer in `received`, consumed; nil while it is incomplete.
    private func takeAnswer() -> Int? {
        let view = received.readableBytesView
        guard let end = Self.headEnd(view) else { return nil }
        let head = String(decoding: view[view.startIndex..<end], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, statusLine.count >= 12,
            let status = Int(statusLine.dropFirst(9).prefix(3))
        else {
            fail(LoadConnection.Failure(description: "not an HTTP answer: \(head.prefix(80))"))
            received.clear()
            return nil
        }
        var length = 0
        for line in lines.dropFirst() {
            let lower = line.lowercased()
            if lower.hasPrefix("content-length:") {
                length = Int(lower.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) ?? 0
            } else if lower.hasPrefix("transfer-encoding:") {
                fail(LoadConnection.Failure(description: "a chunked answer, which the load generator does not read"))
                received.clear()
                return nil
            }
        }
        let total = end - view.startIndex + 4 + length
        guard received.readableBytes >= total else { return nil }
        received.moveReaderIndex(forwardBy: total)
        received.discardReadBytes()
        return status
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
