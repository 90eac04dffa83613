/// Where a byte stream stands in ISO 8583 framing (a 2-byte big-endian length, then that many bytes), so that
/// the connection guard knows whether a frame has been started and not finished without decoding anything.
struct ISOFrameProgress {
    /// Bytes of the current frame's length prefix seen so far (0 or 1 while reading it).
    private var prefixRead = 0
    private var prefixHigh: UInt8 = 0
    /// Bytes of the current frame's body still to come.
    private var bodyLeft = 0

    /// True when some bytes of a frame have arrived and the rest have not.
    var inFrame: Bool { prefixRead > 0 || bodyLeft > 0 }

    /// Moves past `bytes`; answers how many frames they finished.
    mutating func advance<Bytes: RandomAccessCollection>(over bytes: Bytes) -> Int where Bytes.Element == UInt8 {
        var finished = 0
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if bodyLeft > 0 {
                let step = min(bodyLeft, bytes.distance(from: index, to: bytes.endIndex))
                bodyLeft -= step
                index = bytes.index(index, offsetBy: step)
                if bodyLeft == 0 { finished += 1 }
            } else if prefixRead == 0 {
                prefixHigh = bytes[index]
                prefixRead = 1
                index = bytes.index(after: index)
            } else {
                bodyLeft = Int(prefixHigh) << 8 | Int(bytes[index])
                prefixRead = 0
                index = bytes.index(after: index)
                // A zero length is an error the decoder answers by closing; here it simply ends the frame.
                if bodyLeft == 0 { finished += 1 }
            }
        }
        return finished
    }
}
