import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOPosix
import PosGuardApp
import PosGuardDomain
import PosGuardGateway
import PosGuardISO8583
import PosGuardServices
@_spi(SQL) import PosGuardStorage
import SQLKit
import Synchronization

extension Bench {
    /// Valid screening traffic beside hostile clients against the real server in this process, on loopback:
    /// first the valid traffic alone (the limit), then with the attacks, then alone again once they stop.
    struct GatewaySoak: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gateway-soak",
            abstract: "Run valid ISO 8583 traffic beside hostile clients and compare it with the same traffic alone.")

        @Option(help: "Seconds of attack.") var seconds = 150
        @Option(help: "Seconds of valid traffic alone before the attack (the limit).") var baselineSeconds = 20
        @Option(help: "Terminals in the screening table.") var terminals = 1_000
        @Option(help: "Connections sending valid requests, one at a time each.") var connections = 8
        @Option(help: "Never-reading clients flooding echo requests.") var flooders = 4
        @Option(help: "Clients holding half a frame (slowloris).") var halfFrames = 200
        @Option(help: "Clients sending garbage and requests for unknown TIDs.") var garbage = 4
        @Option(help: "Silent connections held open (a connection flood).") var silent = 600
        @OptionGroup var gatewayLimits: GatewayOptions

        func validate() throws {
            guard seconds >= 40, baselineSeconds >= 5, terminals > 0, connections > 0,
                [flooders, halfFrames, garbage, silent].allSatisfy({ $0 >= 0 })
            else {
                throw ValidationError("--seconds must be at least 40, --baseline-seconds at least 5, counts positive")
            }
        }

        func run() async throws {
            var quiet = Logs.bootstrap()
            quiet.logLevel = .critical
            let limits = try gatewayLimits.limits()
                .fitted(toDescriptors: ISOGatewayLimits.descriptorLimit() ?? .max).limits
            say(
                "PosGuard gateway soak on loopback: \(terminals) terminals, \(connections) valid connections; "
                    + "\(baselineSeconds) s alone, then \(seconds) s beside \(flooders) never-reading echo flooders, "
                    + "\(halfFrames) half-frame holders, \(garbage) garbage senders and \(silent) silent connections")
            say(
                "gateway limits: \(limits.maxConnections) connections, \(limits.maxConnectionsPerAddress) per address, "
                    + "idle \(limits.idleTimeout), frame \(limits.frameTimeout); ulimit -n "
                    + "\(ISOGatewayLimits.descriptorLimit().map(String.init) ?? "unlimited")")
            try await BenchKit.withDatabase(url: nil, logger: quiet) { runtime in
                let application = try await BenchKit.application(
                    runtime, logger: quiet, gateway: limits, jobs: .declineLogFlush)
                let app = application.posGuard
                let (caller, stores) = try await BenchKit.tenant(app)
                _ = try await BenchKit.importTerminals(app, caller: caller, stores: stores, count: terminals)
                let frames = try await validFrames(app, caller: caller)
                let (httpPort, port, server) = try await BenchKit.start(application)
                guard let gateway = application.gateway else { throw ValidationError("the gateway did not start") }
                try await soak(gateway: gateway, port: port, httpPort: httpPort, frames: frames)
                server.cancel()
                _ = await server.result
                _ = try await app.screening.flush()
                let rows = try await app.runtime.database.withSQL { db in
                    try await db.select().column(SQLFunction("count", args: SQLLiteral.all), as: "n")
                        .from("screening_declines").first()?.decode(column: "n", as: Int.self) ?? 0
                }
                say("decline log: \(rows) rows in the database after the run")
            }
        }

        /// One request per terminal of the fleet, as an acquirer would send them (all approved).
        func validFrames(_ app: PosGuard, caller: Caller) async throws -> [[UInt8]] {
            let codec = ISOCodec()
            let page = try await app.terminals.list(.init(state: .active), after: nil, limit: 500, by: caller)
            return try page.items.enumerated().map { i, t in
                try codec.encode(
                    ISOMessage(
                        mti: "0200",
                        fields: [
                            3: "000000", 4: "000000001250", 11: String(format: "%06d", i),
                            37: String(format: "%012d", i), 41: t.tid.padding(toLength: 8, withPad: " ", startingAt: 0),
                            42: t.mid.padding(toLength: 15, withPad: " ", startingAt: 0), 49: "978",
                        ]))
            }
        }

        func soak(gateway: ISOGateway, port: Int, httpPort: Int, frames: [[UInt8]]) async throws {
            let b = Double(baselineSeconds)
            let s = Double(seconds)
            let phases = SoakPhases(windows: [
                .init(name: "limit (valid traffic alone)", range: 2..<(b - 1)),
                .init(name: "attack, first 15 s", range: (b + 5)..<(b + 20)),
                .init(name: "attack, last 15 s", range: (b + s - 15)..<(b + s)),
                .init(name: "after the attack (5-15 s)", range: (b + s + 5)..<(b + s + 15)),
            ])
            let end = phases.start + .seconds(b + s + 16)
            let http = HTTPClient(
                eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton),
                configuration: .init(connectionPool: .init(idleTimeout: .milliseconds(100))))
            say("\n" + SoakPhases.header)
            defer { Task { try? await http.shutdown() } }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in 0..<connections {
                    group.addTask { await phases.valid(port: port, frames: frames, offset: c * 37, until: end) }
                }
                group.addTask { await phases.probeHealth(http: http, port: httpPort, until: end) }
                group.addTask {
                    try await Task.sleep(until: phases.start + .seconds(b))
                    try await attack(port: port, for: .seconds(s))
                }
                for w in phases.windows.indices {
                    try await Task.sleep(until: phases.start + .seconds(phases.windows[w].range.upperBound))
                    say(phases.report(w, gateway: gateway.connections.statistics))
                }
                try await group.waitForAll()
            }
            let statistics = gateway.connections.statistics
            say(
                "\ngateway: refused \(statistics.refusedOverall) over the cap and \(statistics.refusedPerAddress) over "
                    + "the per-address cap; closed \(statistics.closedIdle) idle and \(statistics.closedInFrame) "
                    + "stuck in a frame; answers waiting for clients peaked at \(statistics.peakBufferedBytes / 1024) KiB"
            )
            say(phases.ratios)
        }

        /// Every hostile client, each from loopback addresses of its own kind (so the per-address cap is not all
        /// that stops them), for `duration`.
        func attack(port: Int, for duration: Duration) async throws {
            let clients = HostileClients(host: "127.0.0.1", port: port)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<flooders { group.addTask { await clients.neverReading(from: "127.0.0.2") } }
                for i in 0..<halfFrames { group.addTask { await clients.halfFrames(from: "127.0.0.\(3 + i % 4)") } }
                for i in 0..<garbage {
                    group.addTask { await clients.garbage(from: "127.0.0.7", seed: UInt64(i)) }
                }
                for i in 0..<silent { group.addTask { await clients.holdSilent(from: "127.0.0.\(8 + i % 16)") } }
                try await Task.sleep(for: duration)
                group.cancelAll()
            }
        }
    }
}
