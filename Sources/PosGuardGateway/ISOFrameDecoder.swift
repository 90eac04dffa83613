import NIOCore

/// Cuts the byte stream into ISO 8583 frames: a 2-byte big-endian length, then that many bytes.
/// A frame of length zero or over the limit is an error, and the connection is closed.
public struct ISOFrameDecoder: ByteToMessageDecoder {
    public typealias InboundOut = ByteBuffer

    struct FrameTooLarge: Error {}

    let maximumLength: Int

    public init(maximumLength: Int = ISOGateway.maximumFrame) { self.maximumLength = maximumLength }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self) else { return .needMoreData }
        guard length > 0, Int(length) <= maximumLength else { throw FrameTooLarge() }
        guard buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }
}

/// Answers each frame in the order it came, writing the length prefix; flushes once per read burst so
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
        var out = context.channel.allocator.buffer(capacity: answer.count + 2)
        out.writeInteger(UInt16(answer.count))
        out.writeBytes(answer)
        context.write(wrapOutboundOut(out), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }
}
