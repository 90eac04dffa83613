import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Holds one file descriptor in reserve for the listening socket. When the process runs out of descriptors,
/// `accept` fails with EMFILE and leaves the waiting connection queued: the listener stays readable, and NIO
/// (whose pending read only a successful accept consumes) accepts again at once — a busy loop at 100 % CPU
/// that `AcceptBackoffHandler` alone does not end. Giving up the reserve lets the next accept take the waiting
/// connection, which is closed at once; the read is consumed, and the backoff then holds accepting off.
final class DescriptorReserve: ChannelInboundHandler {
    typealias InboundIn = any Channel
    typealias InboundOut = any Channel

    private let connections: ISOConnections
    private var reserve: CInt = -1
    private var draining = false

    init(connections: ISOConnections) { self.connections = connections }

    func handlerAdded(context: ChannelHandlerContext) { reserve = open("/dev/null", O_RDONLY | O_CLOEXEC) }

    func handlerRemoved(context: ChannelHandlerContext) {
        if reserve >= 0 { close(reserve) }
        reserve = -1
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? IOError, error.errnoCode == EMFILE || error.errnoCode == ENFILE,
            reserve >= 0
        {
            close(reserve)
            reserve = -1
            draining = true
        }
        context.fireErrorCaught(error)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard draining else { return context.fireChannelRead(data) }
        draining = false
        unwrapInboundIn(data).close(promise: nil)
        reserve = open("/dev/null", O_RDONLY | O_CLOEXEC)
        connections.outOfDescriptors()
    }
}
