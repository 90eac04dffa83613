import ArgumentParser
import Foundation
import PosGuardApp
import PosGuardDomain
import PosGuardGateway
import PosGuardISO8583
import PosGuardServices
import PosGuardStorage

extension Bench {
    /// Screening decisions in process, then ISO 8583 requests over loopback TCP.
    struct ScreeningRate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "screening", abstract: "Measure screening decisions in process and ISO 8583 over TCP.")

        @Option(help: "Terminals in the decision table.") var terminals = 10_000
        @Option(help: "In-process decisions to time.") var decisions = 2_000_000
        @Option(help: "ISO 8583 connections.") var connections = 32
        @Option(help: "ISO 8583 requests per connection.") var requests = 2_000

        func run() async throws {
            say(
                "PosGuard screening benchmark: \(terminals) terminals, \(decisions) decisions in process, "
                    + "\(connections) × \(requests) ISO 8583 requests over loopback TCP")
            var quiet = Logs.bootstrap()
            quiet.logLevel = .critical
            try await BenchKit.withDatabase(url: nil, logger: quiet) { runtime in
                let application = try await BenchKit.application(runtime, logger: quiet, gateway: .standard)
                let app = application.posGuard
                let (caller, stores) = try await BenchKit.tenant(app)
                _ = try await BenchKit.importTerminals(app, caller: caller, stores: stores, count: terminals)
                var fleet: [(tid: String, mid: String)] = []
                var cursor: Cursor? = nil
                repeat {
                    let page = try await app.terminals.list(.init(), after: cursor, limit: 500, by: caller)
                    fleet += page.items.map { ($0.tid, $0.mid) }
                    cursor = page.next
                } while cursor != nil

                // In process: the decision alone, as the ISO handler makes it.
                let now = Date()
                var random = SplitMix64(seed: 7)
                let sample = (0..<4096).map { _ in
                    let t = fleet[Int(random.next() % UInt64(fleet.count))]
                    return ScreeningRequest(tid: t.tid, mid: t.mid, amountMinor: 1250, currency: "EUR", at: now)
                }
                var approved = 0
                var latencies: [Double] = []
                latencies.reserveCapacity(decisions / 100 + 1)
                let start = ContinuousClock.now
                for i in 0..<decisions {
                    if i % 100 == 0 {
                        let t0 = ContinuousClock.now
                        if app.screening.decide(sample[i & 4095]).approve { approved += 1 }
                        latencies.append(BenchKit.seconds(ContinuousClock.now - t0))
                    } else if app.screening.decide(sample[i & 4095]).approve {
                        approved += 1
                    }
                }
                let wall = BenchKit.seconds(ContinuousClock.now - start)
                let micro = BenchKit.Latencies(latencies)
                say(
                    String(
                        format: "in process:     %.0f decisions/s; p50 %.2f µs, p99 %.2f µs (%d%% approved)",
                        Double(decisions) / wall, micro.ms(0.5) * 1000, micro.ms(0.99) * 1000,
                        approved * 100 / decisions))

                // Over TCP: the real gateway, one client per connection sending its next request on each answer.
                let (_, port, server) = try await BenchKit.start(application)
                let codec = ISOCodec()
                let frames = try sample.prefix(512).enumerated().map { i, r -> [UInt8] in
                    try codec.encode(
                        ISOMessage(
                            mti: "0200",
                            fields: [
                                3: "000000", 4: "000000001250", 11: String(format: "%06d", i),
                                37: String(format: "%012d", i),
                                41: r.tid.padding(toLength: 8, withPad: " ", startingAt: 0),
                                42: r.mid.padding(toLength: 15, withPad: " ", startingAt: 0), 49: "978",
                            ]))
                }
                let perConnection = requests
                let tcpStart = ContinuousClock.now
                let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
                    for c in 0..<connections {
                        group.addTask {
                            try await Self.client(port: port, frames: frames, offset: c * 37, count: perConnection)
                        }
                    }
                    return try await group.reduce([], +)
                }
                let tcpWall = BenchKit.seconds(ContinuousClock.now - tcpStart)
                server.cancel()
                say(
                    String(
                        format: "ISO 8583 TCP:   %.0f messages/s over %d connections; latency %@",
                        Double(samples.count) / tcpWall, connections, BenchKit.Latencies(samples).summary))
                _ = try await app.screening.flush()
            }
            say(String(format: "peak RSS:       %.0f MiB", Double(BenchKit.residentKiB(peak: true)) / 1024))
        }

        /// One connection: sends a request, waits for its answer, and so on; returns each round trip's time.
        static func client(port: Int, frames: [[UInt8]], offset: Int, count: Int) async throws -> [Double] {
            try await ISOClient.connect(host: "127.0.0.1", port: port) { session in
                var times: [Double] = []
                times.reserveCapacity(count)
                for i in 0..<count {
                    let start = ContinuousClock.now
                    try await session.send(frames[(offset + i) % frames.count])
                    guard let answer = try await session.receive(), answer.count > 20 else {
                        throw ValidationError("the gateway answered nothing")
                    }
                    times.append(BenchKit.seconds(ContinuousClock.now - start))
                }
                return times
            }
        }
    }
}
