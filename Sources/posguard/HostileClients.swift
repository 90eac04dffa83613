import Foundation
import NIOCore
import PosGuardGateway
import PosGuardISO8583

/// The clients that attack the gateway in `bench gateway-soak`, each a loop that reconnects whenever the
/// server closes it, until its task is cancelled. Every one talks only to the loopback address it is given.
struct HostileClients: Sendable {
    let host: String
    let port: Int

    static let echo = try! ISOCodec().encode(
        ISOMessage(
            mti: "0800", fields: [7: "1127084500", 11: "000001", 48: String(repeating: "9", count: 200), 70: "301"]))

    /// Runs `attack` on a fresh connection from `source` again and again; a refused or closed connection is
    /// retried after `pause`.
    func repeatedly(
        from source: String, pause: Duration,
        _ attack: @escaping @Sendable (inout ISOClient.Session) async throws -> Void
    )
        async
    {
        while !Task.isCancelled {
            try? await ISOClient.connect(host: host, port: port, from: source) { try await attack(&$0) }
            try? await Task.sleep(for: pause)
        }
    }

    /// Sends echo requests without ever reading the answers.
    func neverReading(from source: String) async {
        await repeatedly(from: source, pause: .milliseconds(100)) { session in
            while true { try await session.send(Self.echo) }
        }
    }

    /// Sends the first 30 bytes of a frame and waits for the server to give up.
    func halfFrames(from source: String) async {
        await repeatedly(from: source, pause: .milliseconds(100)) { session in
            try await session.send(Array(([0x01, 0x00] + Self.echo).prefix(30)), framed: false)
            while try await session.receive() != nil {}
        }
    }

    /// Frames of random bytes and authorisation requests for random TIDs (each a decline to log), reading
    /// whatever comes back.
    func garbage(from source: String, seed: UInt64) async {
        let codec = ISOCodec()
        await repeatedly(from: source, pause: .milliseconds(100)) { session in
            var random = SplitMix64(seed: seed)
            while true {
                let frame: [UInt8]
                if random.next() % 2 == 0 {
                    frame = (0..<(16 + Int(random.next() % 200))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                } else {
                    let tid = String(format: "%08X", UInt32(truncatingIfNeeded: random.next()))
                    frame = try codec.encode(
                        ISOMessage(
                            mti: "0200", fields: [4: "000000000100", 11: "000001", 41: tid, 42: "GARBAGE        "]))
                }
                try await session.send(frame)
                guard try await session.receive() != nil else { return }
            }
        }
    }

    /// Opens a connection and holds it silent until the server closes it (past the idle timeout, or at once
    /// when a connection cap refuses it).
    func holdSilent(from source: String) async {
        await repeatedly(from: source, pause: .seconds(1)) { session in
            while try await session.receive() != nil {}
        }
    }
}
