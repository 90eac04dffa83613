import Foundation
import NIOCore
import PosGuardISO8583
import Synchronization
import Testing

@testable import PosGuardGateway

/// The gateway against clients that do not play by the rules, over real loopback sockets with short limits.
@Suite("ISO 8583 gateway against hostile clients")
struct HostileClientTests {
    static let codec = ISOCodec()
    static let echo = try! codec.encode(ISOMessage(mti: "0800", fields: [7: "1127084500", 11: "000001", 70: "301"]))

    /// A gateway answering every frame with itself (a stand-in for screening: the limits are the same), running
    /// while `body` runs.
    func withGateway(
        _ limits: ISOGatewayLimits, _ body: (ISOGateway, Int) async throws -> Void
    ) async throws {
        let gateway = ISOGateway(host: "127.0.0.1", port: 0, limits: limits, logger: .init(label: "test")) { $0 }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = Task { try await gateway.run { continuation.yield($0) } }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        try await body(gateway, try #require(await iterator.next()))
    }

    func limits(idle: Duration = .seconds(30), frame: Duration = .seconds(30), total: Int = 100, perAddress: Int = 100)
        -> ISOGatewayLimits
    {
        ISOGatewayLimits(
            idleTimeout: idle, frameTimeout: frame, maxConnections: total, maxConnectionsPerAddress: perAddress)
    }

    /// Whether the server answers an echo on this connection (false once it has closed it).
    static func served(_ session: inout ISOClient.Session) async -> Bool {
        do {
            try await session.send(echo)
            return try await session.receive() == echo
        } catch {
            return false
        }
    }

    /// Connects, sends `first` unframed, and answers the seconds until the server closes the connection, or nil
    /// when it is still open after `limit`.
    static func secondsUntilClosed(port: Int, sending first: [UInt8] = [], limit: Duration) async throws -> Double? {
        try await withThrowingTaskGroup(of: Double?.self) { group in
            group.addTask {
                // Timed from before connecting: the server's timer starts when it accepts, which is no earlier,
                // so however late this task runs on a loaded machine the lower bound holds.
                let start = ContinuousClock.now
                return try await ISOClient.connect(host: "127.0.0.1", port: port) { session in
                    if !first.isEmpty { try await session.send(first, framed: false) }
                    while (try? await session.receive()) != nil {}
                    let elapsed = ContinuousClock.now - start
                    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                }
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
    }

    @Test func aClientThatNeverReadsIsNoLongerReadFromOnceItsAnswersPileUp() async throws {
        try await withGateway(limits()) { gateway, port in
            let sent = SentBytes()
            try await ISOClient.connect(host: "127.0.0.1", port: port) { session in
                // Large frames, so the kernel's socket buffers on both sides fill within a fraction of a second.
                let frame = try Self.codec.encode(
                    ISOMessage(mti: "0800", fields: [11: "000001", 48: String(repeating: "9", count: 999)]))
                var framed = ByteBuffer()
                ISOFrameEncoder.write(frame, into: &framed)
                let outbound = session.outbound
                let flooder = Task { [framed] in
                    for _ in 0..<200_000 {  // 200 MB at most: far past any bound, so an unbounded server shows
                        try await outbound.write(framed)
                        sent.count.add(framed.readableBytes, ordering: .relaxed)
                    }
                }
                defer { flooder.cancel() }
                try await Task.sleep(for: .seconds(1.5))
                let early = sent.count.load(ordering: .relaxed)
                try await Task.sleep(for: .milliseconds(500))
                let late = sent.count.load(ordering: .relaxed)
                #expect(
                    early == late, "the client's sending stalls: the server stopped reading (\(early) → \(late) bytes)")
                let statistics = gateway.connections.statistics
                #expect(statistics.peakBufferedBytes > 0)
                #expect(
                    statistics.peakBufferedBytes <= 512 * 1024,
                    "answers waiting for the client stay bounded: peak \(statistics.peakBufferedBytes) bytes")
            }
        }
    }

    @Test func silentConnectionsAreClosedAfterTheIdleTimeoutAndBusyOnesAreNot() async throws {
        // Pauses of 100 ms against a timeout of 800 ms: a loaded machine may stretch a pause, not by that much.
        try await withGateway(limits(idle: .milliseconds(800))) { gateway, port in
            let silent = try await Self.secondsUntilClosed(port: port, limit: .seconds(5))
            let closed = try #require(silent, "a silent connection is closed")
            #expect(closed >= 0.8)
            let busy = try await ISOClient.connect(host: "127.0.0.1", port: port) { session in
                var served = 0
                for _ in 0..<12 {
                    if await Self.served(&session) { served += 1 }
                    try await Task.sleep(for: .milliseconds(100))
                }
                return served
            }
            #expect(busy == 12, "a connection that keeps talking is kept past the idle timeout")
            #expect(gateway.connections.statistics.closedIdle == 1)
        }
    }

    @Test func aFrameLeftUnfinishedClosesItsConnectionAfterTheFrameTimeout() async throws {
        try await withGateway(limits(frame: .milliseconds(250))) { gateway, port in
            let stuck = try await Self.secondsUntilClosed(
                port: port, sending: Array(([0x00, 0x64] + Self.echo + Self.echo).prefix(30)), limit: .seconds(5))
            let closed = try #require(stuck, "a half frame does not hold its connection open")
            #expect(closed >= 0.2)
            // A frame arriving in two pieces within the timeout is answered.
            let split = try await ISOClient.connect(host: "127.0.0.1", port: port) { session in
                let framed = [UInt8(0), UInt8(Self.echo.count)] + Self.echo
                try await session.send(Array(framed.prefix(10)), framed: false)
                try await Task.sleep(for: .milliseconds(100))
                try await session.send(Array(framed.dropFirst(10)), framed: false)
                return try await session.receive()
            }
            #expect(split == Self.echo)
            #expect(gateway.connections.statistics.closedInFrame == 1)
        }
    }

    /// Opens one connection from each source address in turn, holds them all open, and runs `body` with whether
    /// each was served.
    func holding(_ sources: [String], port: Int, _ body: ([Bool]) async throws -> Void) async throws {
        guard let first = sources.first else { return try await body([]) }
        try await ISOClient.connect(host: "127.0.0.1", port: port, from: first) { session in
            let served = await Self.served(&session)
            try await holding(Array(sources.dropFirst()), port: port) { try await body([served] + $0) }
        }
    }

    @Test func connectionsPastTheCapsAreRefusedOverallAndPerAddress() async throws {
        try await withGateway(limits(total: 3, perAddress: 2)) { gateway, port in
            try await holding(["127.0.0.1", "127.0.0.1", "127.0.0.1", "127.0.0.2", "127.0.0.3"], port: port) {
                #expect($0 == [true, true, false, true, false], "the third from one address, the fourth in all")
                let statistics = gateway.connections.statistics
                #expect(statistics.open == 3)
                #expect(statistics.refusedPerAddress == 1 && statistics.refusedOverall == 1)
            }
            // Once they leave, the room is there again.
            try await Task.sleep(for: .milliseconds(100))
            try await holding(["127.0.0.3", "127.0.0.3"], port: port) { #expect($0 == [true, true]) }
        }
    }
}

final class SentBytes: Sendable {
    let count = Atomic<Int>(0)
}

@Suite("Connection limits, apart from sockets")
struct ConnectionLimitTests {
    @Test func frameProgressKnowsWhenAFrameIsUnfinished() {
        var progress = ISOFrameProgress()
        #expect(!progress.inFrame)
        #expect(progress.advance(over: [0x00]) == 0 && progress.inFrame, "half a length prefix")
        #expect(progress.advance(over: [0x03, 0x41, 0x42]) == 0 && progress.inFrame)
        #expect(progress.advance(over: [0x43, 0x00, 0x01, 0x44, 0x00]) == 2 && progress.inFrame)
        #expect(progress.advance(over: [0x01, 0x45]) == 1 && !progress.inFrame)
        #expect(progress.advance(over: [0x00, 0x00]) == 1 && !progress.inFrame, "an empty frame ends at once")
    }

    @Test func theRefusalLogIsThrottledAndCountsWhatItHeldBack() {
        var throttle = LogThrottle(interval: .seconds(10))
        let start = ContinuousClock.now
        #expect(throttle.admit(at: start) == 0)
        #expect(throttle.admit(at: start + .seconds(1)) == nil)
        #expect(throttle.admit(at: start + .seconds(9)) == nil)
        #expect(throttle.admit(at: start + .seconds(10)) == 2, "the next line says how many were held back")
        #expect(throttle.admit(at: start + .seconds(11)) == nil)
    }

    @Test func theConnectionCapLeavesHalfTheFileDescriptorsForTheRest() {
        let standard = ISOGatewayLimits.standard
        #expect(standard.fitted(toDescriptors: 65536).limits == standard)
        #expect(standard.fitted(toDescriptors: 65536).warning == nil)
        let (fitted, warning) = standard.fitted(toDescriptors: 256)
        #expect(fitted.maxConnections == 128 && fitted.maxConnectionsPerAddress == 64)
        #expect(warning?.contains("--iso8583-max-connections lowered from 512 to 128") == true)
        #expect(ISOGatewayLimits.descriptorLimit().map { $0 > 0 } ?? true)
    }
}
