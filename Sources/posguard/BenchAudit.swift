import ArgumentParser
import Crypto
import Foundation
import Logging
import PosGuardDomain
import PosGuardServices
import PosGuardStorage

extension Bench {
    /// The tamper-evident audit log: how fast entries are appended in the write path, and how long a full check of
    /// a large log takes, each beside this machine's SHA-256 speed.
    struct AuditLogRate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "audit",
            abstract: "Append audit entries in units of work, then verify the whole log; print SHA-256 speed beside.")

        @Option(help: "Units of work of one entry each, timed.") var units = 20_000
        @Option(help: "Concurrent writers.") var writers = 4
        @Option(help: "Entries in the log to verify.") var entries = 1_000_000
        @Option(help: "PostgreSQL URL to benchmark instead of a fresh SQLite file (the schema must be empty).")
        var databaseURL: String?

        func validate() throws {
            guard units > 0, writers > 0, entries >= units else {
                throw ValidationError("counts must be positive, and --entries at least --units")
            }
        }

        func run() async throws {
            say("PosGuard audit log benchmark on \(databaseURL == nil ? "SQLite" : "PostgreSQL")")
            let sha = Self.sha256Speed()
            say(
                String(
                    format: "SHA-256:    %.0f MB/s over 1 KiB blocks, %.2f M leaf-sized (300 B) hashes/s",
                    sha.megabytes, sha.leafHashes / 1e6))
            let logger = Logs.bootstrap()
            try await BenchKit.withDatabase(url: databaseURL, logger: logger) { runtime in
                let app = PosGuard(runtime: runtime, hasher: PasswordHasher(cost: 4))
                let seal = runtime.secrets.auditSeal
                let repository = AuditRepository()
                let provider = runtime.ids.next()

                // The same units of work with nothing in them: what a commit alone costs here.
                let emptySeconds = try await timeUnits(on: runtime) { _, _ in }
                let appendSeconds = try await timeUnits(on: runtime) { n, work in
                    try await repository.append(
                        [Self.entry(n, provider: provider, runtime: runtime)], sealedWith: seal, on: work)
                }
                say(
                    String(
                        format: "append:     %.0f entries/s, one entry per unit of work (%d units, %d writers); "
                            + "empty units of work: %.0f/s; the entry's 3 SHA-256 hashes take %.1f µs",
                        Double(units) / appendSeconds, units, writers, Double(units) / emptySeconds,
                        3e6 / sha.leafHashes))
                if let raw = try await Self.rawSQLiteRate(units: units, sqlite: databaseURL == nil, logger: logger) {
                    say(
                        String(
                            format: "limit:      %.0f entries/s from SQLite's C interface alone, one per transaction "
                                + "(prepared statements, same schema, no driver): PosGuard appends at %.2f× that",
                            raw, Double(units) / appendSeconds / raw))
                }

                let fillStart = ContinuousClock.now
                var filled = units
                while filled < entries {
                    let batch = (filled..<min(filled + 1000, entries)).map {
                        Self.entry($0, provider: provider, runtime: runtime)
                    }
                    try await runtime.database.transaction {
                        try await repository.append(batch, sealedWith: seal, on: $0)
                    }
                    filled += batch.count
                }
                let fillSeconds = BenchKit.seconds(ContinuousClock.now - fillStart)
                if entries > units {
                    say(
                        String(
                            format: "append:     %.0f entries/s in units of 1000 (an import), up to %d entries",
                            Double(entries - units) / fillSeconds, entries))
                }

                let checkpointStart = ContinuousClock.now
                _ = try await app.auditLog.checkpointIfGrown()
                say(
                    String(
                        format: "checkpoint: %.2f s to sign the first checkpoint over %d entries",
                        BenchKit.seconds(ContinuousClock.now - checkpointStart), entries))

                let verifyStart = ContinuousClock.now
                let verdict = try await app.auditLog.verify()
                let verifySeconds = BenchKit.seconds(ContinuousClock.now - verifyStart)
                guard verdict.ok, verdict.treeSize == entries else {
                    throw ValidationError("the log did not verify: \(verdict.problem ?? "")")
                }
                // Per entry: its leaf hash, its seal (HMAC: 4 compressions) and about one inner node.
                let hashes = Double(entries) * 3
                say(
                    String(
                        format: "verify:     %d entries in %.2f s = %.0f entries/s; its ~%.1f M hashes alone "
                            + "take %.2f s at this machine's SHA-256 speed",
                        entries, verifySeconds, Double(entries) / verifySeconds, hashes / 1e6,
                        hashes / sha.leafHashes))
            }
            say(String(format: "peak RSS:   %.0f MiB", Double(BenchKit.residentKiB(peak: true)) / 1024))
        }

        /// SQLite's own append rate on a fresh database with PosGuard's schema (nil on PostgreSQL).
        static func rawSQLiteRate(units: Int, sqlite: Bool, logger: Logger) async throws -> Double? {
            guard sqlite else { return nil }
            return try await BenchKit.withSchemaFile(logger: logger) {
                try RawSQLiteAppends.rate(path: $0, count: units)
            }
        }

        /// Seconds for `units` units of work, each doing `body`, from `writers` concurrent writers.
        func timeUnits(on runtime: Runtime, _ body: @escaping @Sendable (Int, UnitOfWork) async throws -> Void)
            async throws -> Double
        {
            let (units, writers) = (units, writers)
            let start = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<writers {
                    group.addTask {
                        for n in stride(from: writer, to: units, by: writers) {
                            try await runtime.database.transaction { try await body(n, $0) }
                        }
                    }
                }
                try await group.waitForAll()
            }
            return BenchKit.seconds(ContinuousClock.now - start)
        }

        /// An entry the size of a typical one: a terminal's move with its before and after.
        static func entry(_ n: Int, provider: UUID, runtime: Runtime) -> AuditEntry {
            AuditEntry(
                id: runtime.ids.next(), at: runtime.now(), providerID: provider, actorID: nil, actor: "bench",
                action: "terminal.transition", targetType: "terminal", targetID: runtime.ids.next(),
                before: #"{"state":"active","tid":"T\#(n)","serial":"SN\#(n)","store_id":"s"}"#,
                after: #"{"state":"locked","tid":"T\#(n)","serial":"SN\#(n)","store_id":"s"}"#,
                reason: "benchmark", source: "127.0.0.1")
        }

        /// This machine's SHA-256 speed: bulk, and on leaf-sized messages.
        static func sha256Speed() -> (megabytes: Double, leafHashes: Double) {
            let block = [UInt8](repeating: 0x5a, count: 1024)
            var start = ContinuousClock.now
            var digest = SHA256.Digest?.none
            for _ in 0..<200_000 { digest = SHA256.hash(data: block) }
            let megabytes = 200_000 * 1024 / 1e6 / BenchKit.seconds(ContinuousClock.now - start)
            let leaf = [UInt8](repeating: 0x5a, count: 300)
            start = ContinuousClock.now
            for _ in 0..<500_000 { digest = SHA256.hash(data: leaf) }
            let leafHashes = 500_000 / BenchKit.seconds(ContinuousClock.now - start)
            precondition(digest != nil)
            return (megabytes, leafHashes)
        }
    }
}
