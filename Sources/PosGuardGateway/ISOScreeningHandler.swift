import NIOCore

/// Answers each frame in the order it came (the encoder frames the answers); flushes once per read burst so
/// pipelined requests go out together.
final class ISOScreeningHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let decide: @Sendable ([UInt8]) -> ISOScreeningResponder.Outcome

    init(decide: @escaping @Sendable ([UInt8]) -> ISOScreeningResponder.Outcome) { self.decide = decide }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard case .answer(let answer) = decide(Array(frame.readableBytesView)) else {
            context.close(promise: nil)
            return
        }
        context.write(wrapOutboundOut(context.channel.allocator.buffer(bytes: answer)), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}
