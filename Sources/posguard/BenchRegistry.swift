import ArgumentParser
import Foundation
import PosGuardApp
import PosGuardDomain
import PosGuardServices
import PosGuardStorage

extension Bench {
    /// Loads a large fleet through the CSV import and pages through it as API clients do.
    struct Registry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import terminals, then measure listing latency and peak memory.")

        @Option(help: "Terminals to load.") var terminals = 100_000
        @Option(help: "Terminals per CSV import.") var batch = 10_000
        @Option(help: "Listing pages to time.") var pages = 2_000
        @Option(help: "PostgreSQL URL to benchmark instead of a fresh SQLite file (the schema must be empty).")
        var databaseURL: String?

        func validate() throws {
            guard terminals > 0, batch > 0, pages > 0 else { throw ValidationError("counts must be positive") }
        }

        func run() async throws {
            say(
                "PosGuard registry benchmark: \(terminals) terminals on \(databaseURL == nil ? "SQLite" : "PostgreSQL")"
            )
            let logger = Logs.bootstrap()
            try await BenchKit.withDatabase(url: databaseURL, logger: logger) { runtime in
                let app = try await BenchKit.application(runtime, logger: logger).posGuard
                let (caller, stores) = try await BenchKit.tenant(app)
                let importStart = ContinuousClock.now
                let imported = try await BenchKit.importTerminals(
                    app, caller: caller, stores: stores, count: terminals, batch: batch)
                let importSeconds = BenchKit.seconds(ContinuousClock.now - importStart)
                say(
                    String(
                        format: "import:     %d terminals in %.2f s = %.0f terminals/s "
                            + "(CSV batches of %d, with history and audit rows)",
                        imported, importSeconds, Double(imported) / importSeconds, batch))
                let latencies = BenchKit.Latencies(try await listLatencies(app, caller: caller, stores: stores))
                say("list page:  \(latencies.summary) pages of 50 (mixed filters and depths, JSON encoded)")
            }
            say(String(format: "peak RSS:   %.0f MiB", Double(BenchKit.residentKiB(peak: true)) / 1024))
        }

        /// Times listing pages the way the console and API clients ask for them: first pages and deep
        /// cursors, with and without state, store and merchant filters.
        func listLatencies(_ app: PosGuard, caller: Caller, stores: [Store]) async throws -> [Double] {
            var cursors: [Cursor?] = [nil]
            var page = try await app.terminals.list(.init(), after: nil, limit: 500, by: caller)
            while let next = page.next, cursors.count < 200 {
                cursors.append(next)
                page = try await app.terminals.list(.init(), after: next, limit: 500, by: caller)
            }
            var random = SystemRandomNumberGenerator()
            var samples: [Double] = []
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.dateEncodingStrategy = .iso8601
            for i in 0..<pages {
                let store = stores.randomElement(using: &random)!
                let filter: TerminalFilter =
                    switch i % 4 {
                    case 0: .init()
                    case 1: .init(state: .active)
                    case 2: .init(storeID: store.id)
                    default: .init(state: .inventory, merchantID: store.merchantID)
                    }
                let cursor = cursors.randomElement(using: &random)!
                let start = ContinuousClock.now
                let result = try await app.terminals.list(filter, after: cursor, limit: 50, by: caller)
                _ = try encoder.encode(result.items)
                samples.append(BenchKit.seconds(ContinuousClock.now - start))
            }
            return samples
        }
    }
}
