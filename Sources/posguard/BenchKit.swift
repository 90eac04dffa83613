import Foundation
import Logging
import PosGuardApp
import PosGuardDomain
import PosGuardGateway
import PosGuardServices
import PosGuardStorage

/// What the benchmarks share: a throwaway database, a benchmark tenant, durations and memory readings.
enum BenchKit {
    /// Runs `body` on a fresh, migrated database under a fresh master key: a temporary SQLite file, or the given (empty) PostgreSQL.
    static func withDatabase(url: String?, logger: Logger, _ body: (Runtime) async throws -> Void) async throws {
        try await withOptions(url: url) { options in
            try await options.use(logger: logger) { runtime, _ in try await body(runtime) }
        }
    }

    /// The path of a fresh SQLite file with PosGuard's schema, closed, for `body`.
    static func withSchemaFile<T>(logger: Logger, _ body: (String) throws -> T) async throws -> T {
        try await withOptions(url: nil) { options in
            try await options.use(logger: logger) { _, _ in }
            return try body(options.sqlitePath)
        }
    }

    /// Database options on a temporary data directory, removed afterwards.
    private static func withOptions<T>(url: String?, _ body: (DatabaseOptions) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "posguard-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var options = try DatabaseOptions.parse([])
        options.dataDir = directory.path
        options.databaseURL = url ?? ""
        return try await body(options)
    }

    /// A provider with 10 merchants of 10 stores each, open around the clock.
    static func tenant(_ app: PosGuard) async throws -> (Caller, [Store]) {
        let provider = Provider(id: app.runtime.ids.next(), name: "Benchmark Acquiring")
        try await app.runtime.database.withConnection {
            try await ProviderRepository().insert(provider, at: app.runtime.now(), on: $0)
        }
        let caller = Caller.system("bench", provider: provider.id, at: app.runtime.now())
        let always = try BusinessHours.parse(
            Dictionary(uniqueKeysWithValues: BusinessHours.Weekday.allCases.map { ($0.rawValue, ["00:00-24:00"]) }))
        var stores: [Store] = []
        for m in 0..<10 {
            let merchant = try await app.merchants.create(.init(name: "Merchant \(m)"), by: caller)
            for s in 0..<10 {
                stores.append(
                    try await app.stores.create(
                        .init(
                            merchantID: merchant.id, code: "M\(m)-S\(s)", name: "Store \(m)-\(s)",
                            address: "\(s) Market St",
                            city: "City \(m)", country: "DE", timeZone: "Europe/Berlin", businessHours: always,
                            geofence: Geofence(latitude: 52.5, longitude: 13.4, radiusM: 100)), by: caller))
            }
        }
        return (caller, stores)
    }

    /// Registers `count` terminals through the CSV import, in batches of `batch`; returns how many.
    static func importTerminals(_ app: PosGuard, caller: Caller, stores: [Store], count: Int, batch: Int = 10_000)
        async throws
        -> Int
    {
        var imported = 0
        while imported < count {
            let size = min(batch, count - imported)
            var lines = ["make,model,serial,tid,mid,store_code,firmware_version,state"]
            lines.reserveCapacity(size + 1)
            for n in imported..<(imported + size) {
                lines.append(
                    "Ingenico,Move/5000,SN\(10_000_000 + n),T\(String(n, radix: 36)),MID\(n % 1000),"
                        + "\(stores[n % stores.count].code),4.2.\(n % 9),\(n % 3 == 0 ? "inventory" : "active")")
            }
            imported += try await app.terminals.importCSV(lines.joined(separator: "\n"), by: caller)
        }
        return imported
    }

    /// A benchmark instance on `runtime`, built as `serve` builds one but with cheap bcrypt: HTTP on a free
    /// loopback port, the ISO 8583 gateway on another when `gateway` limits are given, and only `jobs`.
    static func application(
        _ runtime: Runtime, logger: Logger, gateway limits: ISOGatewayLimits? = nil, jobs: BackgroundJobs = []
    ) async throws -> PosGuardApplication {
        var configuration = PosGuardConfiguration(runtime: runtime, hasher: PasswordHasher(cost: 4))
        configuration.port = 0
        configuration.iso8583Port = limits == nil ? nil : 0
        configuration.gatewayLimits = limits ?? .standard
        configuration.jobs = jobs
        configuration.logger = logger
        return try await buildApplication(configuration)
    }

    /// Runs `application` in this process until the task returned is cancelled; returns once it listens, with
    /// its HTTP port and its gateway's (0 without a gateway).
    static func start(_ application: PosGuardApplication) async throws -> (
        http: Int, iso8583: Int, task: Task<Void, any Error>
    ) {
        let (ports, continuation) = AsyncStream<(gateway: Bool, port: Int)>.makeStream()
        var application = application
        application.onHTTPListening = { continuation.yield((false, $0)) }
        application.onGatewayListening = { continuation.yield((true, $0)) }
        let task = Task { [application] in
            defer { continuation.finish() }
            try await application.runService(gracefulShutdownSignals: [])
        }
        var http: Int? = nil
        var iso8583: Int? = application.gateway == nil ? 0 : nil
        for await listening in ports {
            if listening.gateway { iso8583 = listening.port } else { http = listening.port }
            if let http, let iso8583 { return (http, iso8583, task) }
        }
        try await task.value
        throw PosGuardClient.Failure(description: "the server did not start")
    }

    /// Files this process has open, counted in /proc/self/fd.
    static func openDescriptors() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// A process's (this one's, by default) resident set size now (`VmRSS`) or at its peak (`VmHWM`), in KiB,
    /// from /proc.
    static func residentKiB(peak: Bool = false, of process: String = "self") -> Int {
        let key = peak ? "VmHWM:" : "VmRSS:"
        guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) })
        else { return 0 }
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    /// Percentiles of samples in seconds, as milliseconds.
    struct Latencies {
        let sorted: [Double]

        init(_ samples: [Double]) { sorted = samples.sorted() }

        func ms(_ p: Double) -> Double {
            sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000
        }

        var summary: String {
            String(
                format: "p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d", ms(0.5), ms(0.99), (sorted.last ?? 0) * 1000,
                sorted.count)
        }
    }
}
