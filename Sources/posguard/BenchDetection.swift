import ArgumentParser
import Foundation
import PosGuardApp
import PosGuardDomain
import PosGuardServices
import PosGuardStorage

extension Bench {
    /// How much memory detection needs per terminal: every terminal reports a few events, so detection memory holds
    /// its watch state and detection context, and the growth of the process is measured.
    struct DetectionMemory: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "detection", abstract: "Measure the memory of detection state for a large fleet.")

        @Option(help: "Terminals whose detection state is built.") var terminals = 100_000
        @Option(help: "Concurrent ingests.") var concurrency = 8

        func run() async throws {
            say("PosGuard detection-state benchmark: \(terminals) terminals on SQLite")
            let logger = Logs.bootstrap()
            try await BenchKit.withDatabase(url: nil, logger: logger) { runtime in
                let app = try await BenchKit.application(runtime, logger: logger).posGuard
                let (caller, stores) = try await BenchKit.tenant(app)
                _ = try await BenchKit.importTerminals(app, caller: caller, stores: stores, count: terminals)
                var ids: [UUID] = []
                var cursor: Cursor? = nil
                repeat {
                    let page = try await app.terminals.list(.init(), after: cursor, limit: 500, by: caller)
                    ids += page.items.map(\.id)
                    cursor = page.next
                } while cursor != nil
                let before = BenchKit.residentKiB()
                let start = ContinuousClock.now
                let at = JSONValue.string(RFC3339.format(Date()))
                let work = ids
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for w in 0..<concurrency {
                        group.addTask {
                            for i in stride(from: w, to: work.count, by: concurrency) {
                                let events: [JSONValue] = [
                                    .object(["seq": 1, "type": "heartbeat", "at": at, "battery": 77]),
                                    .object([
                                        "seq": 2, "type": "location", "at": at, "lat": 52.50001, "lon": 13.40001,
                                        "accuracy_m": 9, "source": "gps",
                                    ]),
                                    .object([
                                        "seq": 3, "type": "login", "at": at, "operator_id": "op-1", "method": "pin",
                                        "success": false,
                                    ]),
                                ]
                                _ = try await app.ingest.ingest(events, from: work[i])
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let seconds = BenchKit.seconds(ContinuousClock.now - start)
                let grown = Double(BenchKit.residentKiB() - before) * 1024
                say(
                    String(
                        format: "state built:    %d terminals in %.1f s (%.0f single-batch ingests/s in process)",
                        app.memory.watchCount, seconds, Double(ids.count) / seconds))
                say(
                    String(
                        format:
                            "memory:         %.0f MiB for the detection state of %d terminals (%.0f bytes each), RSS now %.0f MiB",
                        grown / 1_048_576, app.memory.watchCount, grown / Double(max(app.memory.watchCount, 1)),
                        Double(BenchKit.residentKiB()) / 1024))
            }
        }
    }
}
