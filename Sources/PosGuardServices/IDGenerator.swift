import Foundation
import Synchronization

/// Makes UUIDv7 ids (RFC 9562): a millisecond timestamp, then a counter, then random bits. Ids made by one
/// generator strictly increase, so ordering by id is ordering by creation — which keeps cursors stable
/// and histories in order without a separate sequence column.
public final class IDGenerator: Sendable {
    private let now: @Sendable () -> Date
    private let last = Mutex<(millis: UInt64, counter: UInt16)>((0, 0))

    public init(now: @escaping @Sendable () -> Date) { self.now = now }

    public func next() -> UUID {
        let wall = UInt64(max(0, now().timeIntervalSince1970 * 1000))
        let (millis, counter) = last.withLock { last -> (UInt64, UInt16) in
            if wall > last.millis {
                last = (wall, 0)
            } else if last.counter < 0x0FFF {
                last.counter += 1
            } else {
                last = (last.millis + 1, 0)
            }
            return last
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(i)))) }
        bytes[6] = 0x70 | UInt8(counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        var random = SystemRandomNumberGenerator()
        for i in 8..<16 { bytes[i] = random.next() }
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}
