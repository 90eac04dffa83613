import NIOCore
import NIOPosix

/// The client side of the ISO 8583 transport: length-prefixed frames over TCP. Used to measure and test the
/// gateway, and fit for relaying to an upstream host.
public enum ISOClient {
    /// An open connection, valid inside `ISOClient.connect`'s body.
    public struct Session {
        var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

        /// Sends one message body (the length prefix is added), or raw bytes with `framed: false`.
        public func send(_ bytes: [UInt8], framed: Bool = true) async throws {
            var buffer = ByteBuffer()
            if framed { ISOFrameEncoder.write(bytes, into: &buffer) } else { buffer.writeBytes(bytes) }
            try await outbound.write(buffer)
        }

        /// The next answer's body, or nil once the server has closed the connection.
        public mutating func receive() async throws -> [UInt8]? {
            try await inbound.next().map { Array($0.readableBytesView) }
        }
    }

    /// Connects to `host`, from the local address `source` when one is given (tests use other loopback
    /// addresses to appear as other clients), and runs `body` with the open connection.
    public static func connect<T: Sendable>(
        host: String, port: Int, from source: String? = nil, _ body: (inout Session) async throws -> T
    ) async throws -> T {
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
        let channel =
            try await bootstrap
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(ISOFrameDecoder()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var session = Session(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(&session)
        }
    }
}
