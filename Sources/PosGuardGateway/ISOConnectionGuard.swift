import NIOCore

/// The first handler of every gateway connection: counts it in (or closes it when a connection limit is
/// reached), closes it when it stays silent past the idle timeout or leaves a frame unfinished past the frame
/// timeout, and counts the answer bytes waiting to be written to it. Timers are checked lazily: one scheduled
/// check per kind, moved forward when traffic arrives, so a busy connection costs no timer per frame.
final class ISOConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let connections: ISOConnections
    private var address: String?
    private var progress = ISOFrameProgress()
    private var lastRead = NIODeadline.now()
    /// When the frame still in progress began, nil between frames.
    private var frameStarted: NIODeadline?
    private var idleCheck: Scheduled<Void>?
    private var frameCheck: Scheduled<Void>?

    init(connections: ISOConnections) { self.connections = connections }

    private var limits: ISOGatewayLimits { connections.limits }

    func channelActive(context: ChannelHandlerContext) {
        let from = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard connections.admit(from) else {
            context.close(promise: nil)
            return
        }
        address = from
        lastRead = .now()
        scheduleIdleCheck(context: context, at: lastRead + limits.idleTimeout.timeAmount)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        frameCheck?.cancel()
        if let address { connections.release(address) }
        address = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // A refused connection is closing: nothing it sent is read.
        guard address != nil else { return }
        let bytes = unwrapInboundIn(data)
        let now = NIODeadline.now()
        lastRead = now
        let wasInFrame = progress.inFrame
        let finished = progress.advance(over: bytes.readableBytesView)
        if !progress.inFrame {
            frameStarted = nil
        } else if !wasInFrame || finished > 0 {
            frameStarted = now
            if frameCheck == nil { scheduleFrameCheck(context: context, at: now + limits.frameTimeout.timeAmount) }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let count = unwrapOutboundIn(data).readableBytes
        let connections = connections
        connections.buffered(count)
        let written = promise ?? context.eventLoop.makePromise()
        written.futureResult.whenComplete { _ in connections.buffered(-count) }
        context.write(data, promise: written)
    }

    private func scheduleIdleCheck(context: ChannelHandlerContext, at deadline: NIODeadline) {
        idleCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            let due = self.lastRead + self.limits.idleTimeout.timeAmount
            guard due <= .now() else { return self.scheduleIdleCheck(context: context, at: due) }
            self.connections.closedIdle()
            context.close(promise: nil)
        }
    }

    private func scheduleFrameCheck(context: ChannelHandlerContext, at deadline: NIODeadline) {
        frameCheck = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) {
            self.frameCheck = nil
            guard let started = self.frameStarted else { return }
            let due = started + self.limits.frameTimeout.timeAmount
            guard due <= .now() else { return self.scheduleFrameCheck(context: context, at: due) }
            self.connections.closedInFrame()
            context.close(promise: nil)
        }
    }
}

extension Duration {
    var timeAmount: TimeAmount {
        .nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}
