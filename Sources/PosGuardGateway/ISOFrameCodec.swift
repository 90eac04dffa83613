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

/// Writes each outbound message body as a frame: its 2-byte big-endian length, then the body — the
/// decoder's other half.
public struct ISOFrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = ByteBuffer

    public init() {}

    public func encode(data: ByteBuffer, out: inout ByteBuffer) throws {
        Self.write(data.readableBytesView, into: &out)
    }

    /// The one place a frame is written: the length prefix, then the body.
    public static func write(_ body: some Collection<UInt8>, into out: inout ByteBuffer) {
        out.writeInteger(UInt16(body.count))
        out.writeBytes(body)
    }
}
