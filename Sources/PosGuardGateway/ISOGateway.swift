import Foundation
import Logging
import NIOCore
import NIOPosix
import PosGuardServices

/// The ISO 8583 screening server on TCP: many persistent connections, pipelined requests answered in
/// order, every decision from the in-memory screening table.
public struct ISOGateway: Sendable {
    public static let maximumFrame = 8192

    let responder: ISOScreeningResponder
    public let host: String
    let port: Int
    let logger: Logger

    public init(screening: ScreeningDesk, now: @escaping @Sendable () -> Date, host: String, port: Int, logger: Logger)
    {
        responder = ISOScreeningResponder(
            screen: { request, pan in screening.screen(request, pan: pan, channel: "iso8583") }, now: now)
        self.host = host
        self.port = port
        self.logger = logger
    }

    /// Listens until the task is cancelled; `onBound` learns the port (useful when `port` is 0).
    public func run(onBound: @Sendable (Int) async -> Void = { _ in }) async throws {
        let responder = responder
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(ISOFrameDecoder(maximumLength: Self.maximumFrame)))
                    try channel.pipeline.syncOperations.addHandler(ISOScreeningHandler(responder: responder))
                }
            }
            .bind(host: host, port: port).get()
        await onBound(channel.localAddress?.port ?? port)
        logger.info("ISO 8583 screening listening", metadata: ["port": "\(channel.localAddress?.port ?? port)"])
        try await withTaskCancellationHandler {
            try await channel.closeFuture.get()
        } onCancel: {
            channel.close(promise: nil)
        }
    }
}
