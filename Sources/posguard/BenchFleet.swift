import ArgumentParser
import Crypto
import Foundation
import NIOCore
import NIOPosix
import PosGuardServices

extension Bench {
    /// A fleet of enrolled terminals reporting on a schedule, against a server running as a process of its own.
    struct Fleet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fleet",
            abstract:
                "Drive a fleet of enrolled terminals against a server process and measure batches/s, latency, "
                + "CPU and memory beside the limits of this machine.")

        @Option(help: "The server's base URL (default: start `posguard serve --demo` as a process of its own).")
        var url: String?
        @Option(help: "With --url: a provider admin who registers and enrolls the fleet.")
        var email = "admin@harbour.demo"
        @Option(help: "Their password (default: the demo admin's, or $POSGUARD_PASSWORD).")
        var password = ProcessInfo.processInfo.environment["POSGUARD_PASSWORD"] ?? "lighthouse-keeper-42"
        @Option(help: "PostgreSQL URL for the server started (an empty database); default SQLite.")
        var databaseURL: String?
        @Option(help: "Enrolled terminals.") var terminals = 100_000
        @Option(help: "Seconds between a terminal's reports.") var interval = 60.0
        @Option(help: "Batches per second in all, instead of terminals / interval; 0 sends as fast as answered.")
        var rate: Double?
        @Option(help: "Events in every batch (default: 1–3, a fleet's usual reports).") var events: Int?
        @Option(help: "Seconds of load.") var seconds = 30.0
        @Option(help: "Keep-alive connections the load is sent over.") var connections = 128
        @Option(help: "Concurrent calls while registering and enrolling.") var setupConcurrency = 16
        @Flag(help: "Exit with status 1 on any error, or a tamper event or a terminal away without its alert.")
        var check = false

        func validate() throws {
            guard terminals > 0, interval > 0, seconds > 0, (1...4096).contains(connections), setupConcurrency > 0
            else {
                throw ValidationError("--terminals, --interval, --seconds and --connections (≤ 4096) must be positive")
            }
            if let events, !(1...Ingest.maximumEvents).contains(events) {
                throw ValidationError("--events must be 1–\(Ingest.maximumEvents)")
            }
            if let rate, rate < 0 { throw ValidationError("--rate must be 0 (as fast as answered) or more") }
            // Batches are signed before the run with the times they are due; the server accepts a signature
            // for 300 s and believes event times up to 5 minutes old.
            guard seconds <= 180 else { throw ValidationError("--seconds must be at most 180") }
        }

        var offered: Double { rate ?? Double(terminals) / interval }

        /// Batches a transaction for the `stored:` limit: more than group commit gathers under a full load of
        /// small batches (8–10 a transaction, measured), so the limit errs on the generous side.
        static let floorGroup = 32

        func run() async throws {
            let server = url == nil ? try FleetServer(databaseURL: databaseURL) : nil
            defer { server?.stop() }
            let base = url ?? "http://127.0.0.1:\(server?.port ?? 0)"
            guard let components = URLComponents(string: base), let host = components.host, components.scheme == "http"
            else { throw ValidationError("--url must be an http:// URL") }
            let port = components.port ?? 80
            say(
                "PosGuard fleet benchmark: \(terminals) terminals, "
                    + (offered > 0
                        ? String(
                            format: "%.0f batches/s (each terminal every %.1f s)", offered, Double(terminals) / offered)
                        : "as fast as answered")
                    + " for \(Int(seconds)) s over \(connections) connections; server "
                    + (server.map {
                        "pid \($0.process.processIdentifier) on \(databaseURL == nil ? "SQLite" : "PostgreSQL")"
                    }
                        ?? base))

            let client = PosGuardClient(base: base)
            let token = try await client.signIn(email: email, password: password)
            let fleet = try await FleetSetup(client: client, token: token).terminals(
                terminals, concurrency: setupConcurrency)

            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            var open: [LoadConnection] = []
            for _ in 0..<connections {
                open.append(try await LoadConnection.connect(host: host, port: port, on: group))
            }
            let run = FleetRun(connections: open, loop: group.next())

            let empty = try await emptyRoute(run, host: "\(host):\(port)", server: server)
            let verifications = Self.verificationsPerSecond()

            // As fast as answered, enough for about `seconds` at what this machine was seen to do.
            let count =
                offered > 0
                ? Int(offered * seconds) : max(Int(seconds * min(5_000, 60_000 / Double(events ?? 2))), fleet.count)
            let signing = ContinuousClock.now
            let estimate =
                Double(count) / Self.signaturesPerSecond() / Double(ProcessInfo.processInfo.activeProcessorCount)
            let plan = await FleetPlan(
                terminals: fleet, count: count, rate: offered, eventsPerBatch: events,
                start: Date().addingTimeInterval(estimate),
                host: "\(host):\(port)")
            say(
                String(
                    format: "signed:         %d batches (%d events) in %.1f s, before the run", count,
                    plan.batches.reduce(0) { $0 + $1.events.count }, BenchKit.seconds(.now - signing)))

            let tally = FleetRun.Tally()
            let serverCPU = server?.cpuSeconds ?? 0
            let loadCPU = FleetServer.cpuSeconds(of: getpid())
            let began = ContinuousClock.now
            let pid = server?.process.processIdentifier
            let progress = Task { await showProgress(tally, total: count, server: pid, began: began) }
            // Each terminal's first batch, then the rest, each part timed from its own start: the first reads
            // the terminal's key and context from storage (as after a start), the rest find them in memory (a
            // fleet's steady state).
            let phases = [0..<min(fleet.count, count), min(fleet.count, count)..<count].filter { !$0.isEmpty }
            var measured: [Phase] = []
            for batches in phases {
                let cpu = server?.cpuSeconds
                let start = ContinuousClock.now
                let answered = tally.samples.count
                let offset = plan.batches[batches.lowerBound].due
                await run.send(
                    plan.batches[batches].map { ($0.request, $0.due - offset, $0.tamper) }, openLoop: offered > 0,
                    tally: tally)
                let samples = tally.samples
                measured.append(
                    Phase(
                        batches: batches, answered: samples.count - answered,
                        latencies: .init(samples[answered...].map(\.seconds)), wall: BenchKit.seconds(.now - start),
                        serverCPU: server.flatMap { server in cpu.map { server.cpuSeconds - $0 } }))
            }
            progress.cancel()
            let wall = BenchKit.seconds(.now - began)
            let serverCores = server.map { ($0.cpuSeconds - serverCPU) / wall }
            let loadCores = (FleetServer.cpuSeconds(of: getpid()) - loadCPU) / wall
            say("")
            for connection in open { await connection.close() }
            try await group.shutdownGracefully()

            let samples = tally.samples
            let statuses = tally.statuses
            let ok = statuses[200] ?? 0
            let eventCount = plan.batches.reduce(0) { $0 + $1.events.count }
            say(
                String(
                    format: "achieved:       %.0f batches/s, %.0f events/s (%d of %d batches answered 200 in %.1f s)",
                    Double(ok) / wall, Double(eventCount) * Double(ok) / Double(max(count, 1)) / wall, ok, count, wall))
            let errors = statuses.filter { $0.key != 200 }.sorted { $0.key < $1.key }
            say(
                "errors:         "
                    + (errors.isEmpty && tally.failures.isEmpty
                        ? "none"
                        : (errors.map { "\($0.value) answered \($0.key)" } + tally.failures.prefix(3)).joined(
                            separator: "; ")))
            let timing = offered > 0 ? "from when each was due" : "from when each was sent"
            say("batch latency:  \(BenchKit.Latencies(samples.map(\.seconds)).summary) (\(timing))")
            if measured.count == 2 {
                for (phase, name) in zip(measured, ["each terminal's first:", "every terminal known: "]) {
                    say("  \(name) \(phase.summary(events: plan.batches))")
                }
            }
            say(
                "event → alert:  \(BenchKit.Latencies(samples.filter(\.tamper).map(\.seconds)).summary) tamper batches "
                    + "(the alert is committed before the answer leaves)")
            if let server, !server.process.isRunning {
                throw PosGuardClient.Failure(
                    description: "the server exited during the run (status \(server.process.terminationStatus))")
            } else if let server, let serverCores {
                say(
                    String(
                        format:
                            "server:         %.2f cores of %d, RSS %.0f MiB (peak %.0f MiB); load generator %.2f cores",
                        serverCores, ProcessInfo.processInfo.activeProcessorCount, server.residentMiB(peak: false),
                        server.residentMiB(peak: true), loadCores))
            } else {
                say(
                    String(
                        format: "load generator: %.2f cores (the server's CPU and memory: not started here)", loadCores)
                )
            }
            let alerted = try await alerts(client, token: token, fleet: fleet)
            say(
                "check:          \(alerted.tamper) tamper occurrences for \(plan.tamperBatches) tamper batches sent; "
                    + "\(alerted.breached) of \(plan.walkers.count) terminals reporting from 5 km away alerted")

            let watchBytes = server.flatMap {
                databaseURL == nil ? RawSQLiteEvents.meanWatchBytes(path: $0.databasePath) : nil
            }
            server?.stop()
            say("limits measured in the same run:")
            // At a given rate the ratio is of the load offered, not of what the server could do.
            let share = offered > 0 ? "the load offered is" : "the server did"
            say(
                String(
                    format:
                        "  empty route:  %.0f requests/s (GET /healthz, same server and connections, as fast as answered, p99 %.2f ms%@): %@ %.0f %%",
                    empty.rate, empty.p99,
                    empty.serverCPU.map { String(format: ", %.0f µs of server CPU each", $0 * 1e6) } ?? "", share,
                    100 * Double(ok) / wall / empty.rate))
            say(
                String(
                    format: "  P-256:        %.0f signature verifications/s on one core (%.0f µs each)", verifications,
                    1e6 / verifications))
            let logger = Logs.bootstrap()
            let rows = plan.batches.prefix(50_000).map { ($0.terminal, $0.events) }
            func rawRate(perTransaction: Int) async throws -> Double {
                try await BenchKit.withSchemaFile(logger: logger) { path in
                    try RawSQLiteEvents.rate(
                        path: path, batches: rows, watchBytes: watchBytes ?? 700, perTransaction: perTransaction)
                }
            }
            let raw = try await rawRate(perTransaction: 1)
            say(
                String(
                    format:
                        "  raw SQLite:   %.0f batches/s (%.0f events/s), the same rows (events and a %d-byte memory "
                        + "per terminal), one transaction per batch, C interface: %@ %.0f %%",
                    raw, raw * Double(eventCount) / Double(max(count, 1)), watchBytes ?? 700, share,
                    100 * Double(ok) / wall / raw))
            if let serverCPU = empty.serverCPU, ok > 0 {
                // What a signed request costs this machine before any of PosGuard's work, estimated from an
                // empty request (no body) and a verification measured apart.
                let cores = ProcessInfo.processInfo.activeProcessorCount
                let load = loadCores * wall / Double(ok)
                let ceiling = Double(cores) / (serverCPU + 1 / verifications + load)
                say(
                    String(
                        format:
                            "  ceiling:      %.0f batches/s on %d cores for signed requests that do nothing else (the "
                            + "empty route's %.0f µs, a verification's %.0f µs and the load generator's %.0f µs a "
                            + "batch): %@ %.0f %%",
                        ceiling, cores, serverCPU * 1e6, 1e6 / verifications, load * 1e6, share,
                        100 * Double(ok) / wall / ceiling))
                // No server that stores what it acknowledges does better on this machine: the ceiling's costs
                // and the rows stored the raw way, committed a group at a time as PosGuard's group commit does.
                let grouped = try await rawRate(perTransaction: Self.floorGroup)
                let floor = Double(cores) / (serverCPU + 1 / verifications + load + 1 / grouped)
                say(
                    String(
                        format:
                            "  stored:       %.0f batches/s on %d cores for signed requests that store their rows and "
                            + "do nothing else (the ceiling's costs and raw SQLite's %.0f µs a batch, %d batches a "
                            + "transaction): %@ %.0f %%",
                        floor, cores, 1e6 / grouped, Self.floorGroup, share, 100 * Double(ok) / wall / floor))
            }
            if check,
                !errors.isEmpty || !tally.failures.isEmpty || alerted.tamper != plan.tamperBatches
                    || alerted.breached != plan.walkers.count
            {
                throw ExitCode(1)
            }
        }

        /// A part of the run: each terminal's first batch, or those after them.
        struct Phase {
            var batches: Range<Int>
            var answered: Int
            var latencies: BenchKit.Latencies
            var wall: Double
            /// The server's CPU seconds over the phase, when it runs as a process here.
            var serverCPU: Double?

            func summary(events plan: [FleetPlan.Batch]) -> String {
                let events = plan[batches].reduce(0) { $0 + $1.events.count }
                return String(
                    format: "%d batches at %.0f/s (%.0f events/s), p50 %.2f ms, p99 %.2f ms%@", batches.count,
                    Double(answered) / wall, Double(events) * Double(answered) / Double(batches.count) / wall,
                    latencies.ms(0.5), latencies.ms(0.99),
                    serverCPU.map {
                        String(format: ", %.0f µs of server CPU each", $0 / Double(max(answered, 1)) * 1e6)
                    }
                        ?? "")
            }
        }

        /// An empty route answered over the same connections, as fast as the server can.
        struct EmptyRoute {
            var rate: Double
            var p99: Double
            /// The server's CPU seconds per request, when it runs as a process here.
            var serverCPU: Double?
        }

        /// Requests per second the server answers on an empty route over the same connections, as fast as it can,
        /// and what each costs it.
        private func emptyRoute(_ run: FleetRun, host: String, server: FleetServer?) async throws -> EmptyRoute {
            let request = LoadConnection.encode(method: "GET", path: "/healthz", host: host, headers: [])
            let count = 50 * connections + 20_000
            let tally = FleetRun.Tally()
            let cpu = server?.cpuSeconds
            let began = ContinuousClock.now
            await run.send(Array(repeating: (request, 0, false), count: count), openLoop: false, tally: tally)
            let wall = BenchKit.seconds(.now - began)
            guard tally.failures.isEmpty, tally.statuses[200] == count else {
                throw PosGuardClient.Failure(
                    description: "/healthz failed: \(tally.statuses) \(tally.failures.prefix(1))")
            }
            return EmptyRoute(
                rate: Double(count) / wall, p99: BenchKit.Latencies(tally.samples.map(\.seconds)).ms(0.99),
                serverCPU: server.flatMap { server in cpu.map { (server.cpuSeconds - $0) / Double(count) } })
        }

        /// One line a second while the load runs: answered, rate, latency, server CPU.
        private func showProgress(_ tally: FleetRun.Tally, total: Int, server: Int32?, began: ContinuousClock.Instant)
            async
        {
            var seen = 0
            let cpuSeconds = { server.map(FleetServer.cpuSeconds(of:)) ?? 0 }
            var cpu = cpuSeconds()
            var last = began
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                let now = ContinuousClock.now
                let (recent, count, answered, errors) = tally.recent(from: seen)
                let span = BenchKit.seconds(now - last)
                let used = cpuSeconds()
                let tty = isatty(STDOUT_FILENO) != 0
                say(
                    String(
                        format: (tty ? "\r" : "")
                            + "%5.0f s  %d/%d answered  %.0f batches/s  p99 %.1f ms  errors %d%@   ",
                        BenchKit.seconds(now - began), answered, total, Double(recent.count) / span,
                        BenchKit.Latencies(recent).ms(0.99), errors,
                        server == nil
                            ? ""
                            : used < cpu ? "  server gone" : String(format: "  server %.2f cores", (used - cpu) / span)),
                    terminator: tty ? "" : "\n")
                seen = count
                cpu = used
                last = now
            }
        }

        /// Tamper occurrences and terminals with a geofence breach among the fleet's alerts.
        private func alerts(_ client: PosGuardClient, token: String, fleet: [FleetSetup.Terminal]) async throws
            -> (tamper: Int, breached: Int)
        {
            let ids = Set(fleet.map { $0.id.uuidString.lowercased() })
            func ours(_ rule: String) async throws -> [[String: Any]] {
                try await client.all("/api/v1/alerts?rule=\(rule)", token: token).filter {
                    ids.contains(($0["terminal_id"] as? String ?? "").lowercased())
                }
            }
            let tamper = try await ours("tamper").reduce(0) { $0 + ($1["occurrences"] as? Int ?? 0) }
            let breached = Set(try await ours("geofence_breach").compactMap { $0["terminal_id"] as? String }).count
            return (tamper, breached)
        }

        /// P-256 signature verifications per second on one core, as the server checks an agent's request.
        static func verificationsPerSecond() -> Double {
            let key = P256.Signing.PrivateKey()
            let message = Data(repeating: 7, count: 400)
            let signature = try! key.signature(for: message)
            var n = 0
            let began = ContinuousClock.now
            while BenchKit.seconds(.now - began) < 1 {
                for _ in 0..<100 where key.publicKey.isValidSignature(signature, for: message) { n += 1 }
            }
            return Double(n) / BenchKit.seconds(.now - began)
        }

        /// P-256 signatures per second on one core, to foresee how long signing the run takes.
        static func signaturesPerSecond() -> Double {
            let signer = AgentSigner()
            let began = ContinuousClock.now
            for _ in 0..<200 {
                _ = signer.headers(terminal: UUID(), method: "POST", path: "/", body: [1, 2, 3], at: Date())
            }
            return 200 / max(BenchKit.seconds(.now - began), 1e-6)
        }
    }
}
