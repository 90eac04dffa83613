import Foundation
import Logging
import NIOCore
import NIOPosix
import PosGuardServices

/// The ISO 8583 screening server on TCP: many persistent connections, pipelined requests answered in
/// order, every decision from the in-memory screening table. With an upstream host, approved requests are
/// relayed to it and its answers passed back (`91` when it cannot be reached). Every connection is held to
/// `ISOGatewayLimits`: counted against the connection caps, closed when idle or stuck in a frame, and not read
/// from while its answers are not being read.
public struct ISOGateway: Sendable {
    public static let maximumFrame = 8192

    public struct Upstream: Sendable, Equatable {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) {
            self.host = host
            self.port = port
        }
    }

    let decide: @Sendable (_ frame: [UInt8], _ forwarding: Bool) -> ISOScreeningResponder.Outcome
    let unavailable: @Sendable ([UInt8]) -> [UInt8]?
    public let host: String
    let port: Int
    let upstream: Upstream?
    let logger: Logger
    /// The open connections and what was refused or closed, live.
    public let connections: ISOConnections

    public init(
        screening: ScreeningDesk, now: @escaping @Sendable () -> Date, host: String, port: Int,
        upstream: Upstream? = nil, limits: ISOGatewayLimits = .standard,
        logger: Logger
    ) {
        let responder = ISOScreeningResponder(
            screen: { request, pan in screening.screen(request, pan: pan, channel: "iso8583") }, now: now)
        decide = { responder.outcome($0, forwarding: $1) }
        unavailable = { responder.upstreamUnavailable($0) }
        self.host = host
        self.port = port
        self.upstream = upstream
        self.logger = logger
        connections = ISOConnections(limits: limits, logger: logger)
    }

    /// A plain ISO 8583 server answering each frame with `answer` (nil closes the connection): an upstream
    /// host for tests and demonstrations.
    public init(
        host: String, port: Int, limits: ISOGatewayLimits = .standard, logger: Logger,
        answer: @escaping @Sendable ([UInt8]) -> [UInt8]?
    ) {
        decide = { frame, _ in answer(frame).map(ISOScreeningResponder.Outcome.answer) ?? .close }
        unavailable = { _ in nil }
        self.host = host
        self.port = port
        upstream = nil
        self.logger = logger
        connections = ISOConnections(limits: limits, logger: logger)
    }

    /// Listens until the task is cancelled; `onBound` learns the port (useful when `port` is 0).
    public func run(onBound: @Sendable (Int) async -> Void = { _ in }) async throws {
        if let upstream { return try await runForwarding(to: upstream, onBound: onBound) }
        let decide = decide
        let connections = connections
        let channel = try await bootstrap()
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try Self.guardListener(channel, connections) }
            }
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.guardConnection(channel, connections)
                    try channel.pipeline.syncOperations.addHandler(ISOScreeningHandler { decide($0, false) })
                }
            }
            .bind(host: host, port: port).get()
        await onBound(channel.localAddress?.port ?? port)
        try await withTaskCancellationHandler {
            try await channel.closeFuture.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    private func bootstrap() -> ServerBootstrap {
        let limits = connections.limits
        return ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(
                .writeBufferWaterMark, value: .init(low: limits.writeBufferLow, high: limits.writeBufferHigh))
    }

    /// What keeps a listener that runs out of file descriptors from retrying `accept` in a busy loop: one
    /// descriptor in reserve to take and close the waiting connection, then a pause before accepting again (the
    /// async `bind` adds the pause itself).
    private static func guardListener(_ channel: any Channel, _ connections: ISOConnections, pause: Bool = true)
        throws
    {
        try channel.pipeline.syncOperations.addHandler(DescriptorReserve(connections: connections))
        if pause { try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler()) }
    }

    /// The handlers every connection starts with: the guard (limits and timeouts), back-pressure (no reading
    /// while the answers pile up unread), and the frame codec.
    private static func guardConnection(_ channel: any Channel, _ connections: ISOConnections) throws {
        let pipeline = channel.pipeline.syncOperations
        try pipeline.addHandler(ISOConnectionGuard(connections: connections))
        try pipeline.addHandler(BackPressureHandler())
        try pipeline.addHandler(ByteToMessageHandler(ISOFrameDecoder()))
        try pipeline.addHandler(MessageToByteHandler(ISOFrameEncoder()))
    }

    /// Each connection in a task of its own, reading frames one after another so answers keep their order,
    /// with one connection to the upstream host per client connection.
    private func runForwarding(to upstream: Upstream, onBound: @Sendable (Int) async -> Void) async throws {
        let connections = connections
        let server = try await bootstrap()
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try Self.guardListener(channel, connections, pause: false) }
            }
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Self.guardConnection(channel, connections)
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        await onBound(server.channel.localAddress?.port ?? port)
        try await server.executeThenClose { connections in
            try await withThrowingDiscardingTaskGroup { group in
                for try await connection in connections {
                    group.addTask { try? await relay(connection, to: upstream) }
                }
            }
        }
    }

    private func relay(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>, to upstream: Upstream) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var frames = inbound.makeAsyncIterator()
            func write(_ bytes: [UInt8]) async throws { try await outbound.write(ByteBuffer(bytes: bytes)) }
            // Serves frames until the client leaves; with `upstream` nil, approvals answer 91.
            func serve(_ session: inout ISOClient.Session?) async throws {
                while let frame = try await frames.next().map({ Array($0.readableBytesView) }) {
                    switch decide(frame, true) {
                    case .answer(let bytes): try await write(bytes)
                    case .close: return
                    case .forward:
                        if session != nil {
                            try await session!.send(frame)
                            if let answer = try await session!.receive() {
                                try await write(answer)
                                continue
                            }
                            session = nil
                        }
                        guard let bytes = unavailable(frame) else { return }
                        try await write(bytes)
                    }
                }
            }
            var none: ISOClient.Session? = nil
            do {
                try await ISOClient.connect(host: upstream.host, port: upstream.port) { session in
                    var open: ISOClient.Session? = session
                    try await serve(&open)
                }
            } catch {
                try await serve(&none)
            }
        }
    }
}
