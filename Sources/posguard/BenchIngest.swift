import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import PosGuardApp
import PosGuardDomain
import PosGuardServices
import PosGuardStorage

extension Bench {
    /// Signed event batches over loopback HTTP into a real server on SQLite, as a fleet's agents send them.
    struct IngestRate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ingest",
            abstract: "Send signed batches of events over HTTP and measure ingest rate and event-to-alert latency.")

        @Option(help: "Enrolled terminals sending.") var terminals = 500
        @Option(help: "Batches to send in all.") var batches = 3_000
        @Option(help: "Events per batch.") var events = 100
        @Option(help: "Concurrent HTTP connections.") var connections = 16
        @Option(help: "One batch in this many carries a tamper event, timed as event → alert.") var alertEvery = 20
        @Option(help: "PostgreSQL URL instead of a fresh SQLite file (the schema must be empty).") var databaseURL:
            String?

        func validate() throws {
            guard terminals > 0, batches > 0, (1...Ingest.maximumEvents).contains(events), connections > 0,
                alertEvery > 0
            else {
                throw ValidationError("counts must be positive, and events at most \(Ingest.maximumEvents)")
            }
        }

        func run() async throws {
            let logger = Logs.bootstrap()
            var quiet = logger
            quiet.logLevel = .critical
            say(
                "PosGuard ingest benchmark: \(batches) signed batches of \(events) events from \(terminals) terminals "
                    + "over \(connections) connections, \(databaseURL == nil ? "SQLite" : "PostgreSQL")")
            try await BenchKit.withDatabase(url: databaseURL, logger: logger) { runtime in
                let application = try await BenchKit.application(runtime, logger: quiet)
                let app = application.posGuard
                let (caller, stores) = try await BenchKit.tenant(app)
                _ = try await BenchKit.importTerminals(app, caller: caller, stores: stores, count: terminals)
                let fleet = try await enroll(app, caller: caller)
                var requests = [[(body: [UInt8], headers: [(String, String)], alert: Bool)]](
                    repeating: [], count: fleet.count)
                var seqs = [Int64](repeating: 0, count: fleet.count)
                let now = Date()
                for k in 0..<batches {
                    let t = k % fleet.count
                    let alert = k % alertEvery == alertEvery - 1
                    let body = batch(from: seqs[t] + 1, count: events, alert: alert, at: now)
                    seqs[t] += Int64(events)
                    let headers = fleet[t].signer.headers(
                        terminal: fleet[t].id, method: "POST", path: "/agent/v1/events", body: body, at: now)
                    requests[t].append((body, headers.map { ($0.name, $0.value) }, alert))
                }
                let (port, _, server) = try await BenchKit.start(application)
                let http = HTTPClient(
                    eventLoopGroupProvider: .shared(MultiThreadedEventLoopGroup.singleton),
                    configuration: .init(
                        connectionPool: .init(
                            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)))
                let client = PosGuardClient(base: "http://127.0.0.1:\(port)", http: http)
                let work = requests
                let begin = ContinuousClock.now
                let samples = try await withThrowingTaskGroup(of: [(Double, Bool)].self) { group in
                    for w in 0..<connections {
                        group.addTask {
                            var times: [(Double, Bool)] = []
                            for t in stride(from: w, to: work.count, by: connections) {
                                for request in work[t] {
                                    let start = ContinuousClock.now
                                    let reply = try await client.call(
                                        .POST, "/agent/v1/events", raw: request.body, headers: request.headers)
                                    guard reply.status == 200 else {
                                        throw PosGuardClient.Failure(
                                            description: "a batch answered \(reply.status): \(reply.json ?? "")")
                                    }
                                    times.append((BenchKit.seconds(ContinuousClock.now - start), request.alert))
                                }
                            }
                            return times
                        }
                    }
                    return try await group.reduce([], +)
                }
                let wall = BenchKit.seconds(ContinuousClock.now - begin)
                try await http.shutdown()
                server.cancel()
                let total = batches * events
                say(
                    String(
                        format:
                            "ingest:         %d events in %.2f s = %.0f events/s (signatures verified, committed before ack)",
                        total, wall, Double(total) / wall))
                say("batch latency:  \(BenchKit.Latencies(samples.map(\.0)).summary) batches")
                say(
                    "event → alert:  \(BenchKit.Latencies(samples.filter(\.1).map(\.0)).summary) batches with a tamper event "
                        + "(the alert is committed when the answer leaves)")
                let tampers = try await app.alerts.list(.init(rule: .tamper), after: nil, limit: 500, by: caller).items
                let occurrences = tampers.reduce(0) { $0 + $1.occurrences }
                say(
                    "check:          \(occurrences) tamper occurrences recorded for \(samples.filter(\.1).count) tamper batches"
                )
            }
            say(String(format: "peak RSS:       %.0f MiB", Double(BenchKit.residentKiB(peak: true)) / 1024))
        }

        struct Enrolled: Sendable {
            var id: UUID
            var signer: AgentSigner
        }

        /// Enrolls every terminal of the tenant with a fresh key, through the real enrollment service.
        func enroll(_ app: PosGuard, caller: Caller) async throws -> [Enrolled] {
            var fleet: [Enrolled] = []
            var cursor: Cursor? = nil
            repeat {
                let page = try await app.terminals.list(.init(), after: cursor, limit: 500, by: caller)
                for t in page.items {
                    let signer = AgentSigner()
                    let code = try await app.enrollment.issueCode(for: t.id, by: caller)
                    _ = try await app.enrollment.enroll(
                        .init(code: code.code, publicKey: signer.publicKey, serial: t.serial, tid: t.tid), source: nil)
                    fleet.append(Enrolled(id: t.id, signer: signer))
                }
                cursor = page.next
            } while cursor != nil
            return fleet
        }

        /// A batch of ordinary events (heartbeats, fixes inside the store, sales), the last one a tamper if asked.
        func batch(from first: Int64, count: Int, alert: Bool, at date: Date) -> [UInt8] {
            let at = RFC3339.format(date)
            var items: [String] = []
            items.reserveCapacity(count)
            for i in 0..<count {
                let seq = first + Int64(i)
                if alert && i == count - 1 {
                    items.append(#"{"seq":\#(seq),"type":"tamper","at":"\#(at)","sensor":"case_open"}"#)
                    continue
                }
                switch i % 3 {
                case 0:
                    items.append(
                        #"{"seq":\#(seq),"type":"heartbeat","at":"\#(at)","battery":80,"charging":true,"network":"lte"}"#
                    )
                case 1:
                    items.append(
                        #"{"seq":\#(seq),"type":"location","at":"\#(at)","lat":52.50003,"lon":13.40002,"accuracy_m":12,"source":"gps"}"#
                    )
                default:
                    items.append(
                        #"{"seq":\#(seq),"type":"transaction","at":"\#(at)","kind":"sale","amount_minor":1250,"currency":"EUR","approved":true,"pan_last4":"4242"}"#
                    )
                }
            }
            return Array(#"{"events":[\#(items.joined(separator: ","))]}"#.utf8)
        }
    }
}
