import ArgumentParser
import Foundation
import PosGuardDomain
import PosGuardServices
import PosGuardStorage

/// `posguard bench`: measures PosGuard on this machine and prints the figures.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a benchmark and print its figures (use a release build).", subcommands: [Registry.self])

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
            let logger = Logs.bootstrap()
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "posguard-bench-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            var options = try DatabaseOptions.parse([])
            options.dataDir = directory.path
            options.databaseURL = databaseURL ?? ""
            say(
                "PosGuard registry benchmark: \(terminals) terminals on \(databaseURL == nil ? "SQLite" : "PostgreSQL")"
            )
            try await options.use(logger: logger) { db, _ in
                let app = PosGuard(runtime: Runtime(database: db), hasher: PasswordHasher(cost: 4))
                let (caller, stores) = try await tenant(app)

                var imported = 0
                let importStart = ContinuousClock.now
                while imported < terminals {
                    let count = min(batch, terminals - imported)
                    imported += try await app.terminals.importCSV(
                        csv(from: imported, count: count, stores: stores), by: caller)
                }
                let importSeconds = seconds(ContinuousClock.now - importStart)
                say(
                    String(
                        format:
                            "import:     %d terminals in %.2f s = %.0f terminals/s (CSV batches of %d, with history and audit rows)",
                        imported, importSeconds, Double(imported) / importSeconds, batch))

                let samples = try await listLatencies(app, caller: caller, stores: stores)
                let sorted = samples.sorted()
                func percentile(_ p: Double) -> Double {
                    sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000
                }
                say(
                    String(
                        format:
                            "list page:  p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d pages of 50 (mixed filters and depths, JSON encoded)",
                        percentile(0.5), percentile(0.99), sorted.last! * 1000, sorted.count))
            }
            say(String(format: "peak RSS:   %.0f MiB", Double(peakResidentKiB()) / 1024))
        }

        func tenant(_ app: PosGuard) async throws -> (Caller, [Store]) {
            let provider = Provider(id: app.runtime.ids.next(), name: "Benchmark Acquiring")
            try await app.runtime.database.withConnection {
                try await ProviderRepository().insert(provider, at: app.runtime.now(), on: $0)
            }
            let caller = Caller.system("bench", provider: provider.id, at: app.runtime.now())
            var stores: [Store] = []
            for m in 0..<10 {
                let merchant = try await app.merchants.create(.init(name: "Merchant \(m)"), by: caller)
                for s in 0..<10 {
                    stores.append(
                        try await app.stores.create(
                            .init(
                                merchantID: merchant.id, code: "M\(m)-S\(s)", name: "Store \(m)-\(s)",
                                address: "\(s) Market St",
                                city: "City \(m)", country: "DE", timeZone: "Europe/Berlin",
                                businessHours: try BusinessHours.parse(["mon": ["08:00-20:00"]]),
                                geofence: Geofence(latitude: 52.5, longitude: 13.4, radiusM: 100)), by: caller))
                }
            }
            return (caller, stores)
        }

        func csv(from start: Int, count: Int, stores: [Store]) -> String {
            var lines = ["make,model,serial,tid,mid,store_code,firmware_version,state"]
            lines.reserveCapacity(count + 1)
            for n in start..<(start + count) {
                let store = stores[n % stores.count]
                lines.append(
                    "Ingenico,Move/5000,SN\(10_000_000 + n),T\(String(n, radix: 36)),MID\(n % 1000),\(store.code),4.2.\(n % 9),\(n % 3 == 0 ? "inventory" : "active")"
                )
            }
            return lines.joined(separator: "\n")
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
                let filter: TerminalRepository.Filter =
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
                samples.append(seconds(ContinuousClock.now - start))
            }
            return samples
        }

        func seconds(_ d: Duration) -> Double {
            Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }

        /// The process's peak resident set size, from /proc.
        func peakResidentKiB() -> Int {
            guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
            else { return 0 }
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
    }
}
