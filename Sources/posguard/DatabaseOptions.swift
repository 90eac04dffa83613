import ArgumentParser
import Foundation
import Logging
import PosGuardApp
import PosGuardServices
import PosGuardStorage

/// Where the data lives — an SQLite file under `--data-dir`, or PostgreSQL when a URL is given — and the
/// master key that seals its secrets. Every command that opens the database gets both through `use`.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "Directory for the SQLite database (used when no database URL is given).")
    var dataDir: String = "./data"

    @Option(help: "PostgreSQL URL, e.g. postgres://user:pass@host:5432/posguard (default: $DATABASE_URL).")
    var databaseURL: String = ProcessInfo.processInfo.environment["DATABASE_URL"] ?? ""

    @Option(
        help: ArgumentHelp(
            "Master key file sealing TOTP, unlock and webhook secrets (default: <data-dir>/posguard.key, made with "
                + "mode 0600 at the first start).",
            discussion: "In production set $POSGUARD_MASTER_KEY to the base64 of 32 random bytes instead."))
    var keyFile: String?

    var postgresURL: String? { databaseURL.isEmpty ? nil : databaseURL }

    var keyPath: String {
        keyFile ?? URL(fileURLWithPath: dataDir).appendingPathComponent(MasterKey.defaultFileName).path
    }

    /// A human description of the database that never shows a password.
    var description: String {
        guard let url = postgresURL, var parts = URLComponents(string: url) else { return sqlitePath }
        if parts.password != nil { parts.password = "•••" }
        return parts.string ?? "PostgreSQL"
    }

    var sqlitePath: String { URL(fileURLWithPath: dataDir).appendingPathComponent("posguard.sqlite").path }

    func open(logger: Logger) throws -> Database {
        if let url = postgresURL { return try Database.postgres(url: url, logger: logger) }
        // The database holds password hashes, the audit log and the events: only its owner reads it. Every file
        // SQLite makes beside it (the WAL, the shared memory) is created owner-only too.
        umask(0o077)
        try FileManager.default.createDirectory(
            atPath: dataDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return Database.sqlite(path: sqlitePath, logger: logger)
    }

    /// What `use` found on the way in.
    struct Opened {
        /// Migrations applied now.
        var applied: [Int]
        var key: MasterKey.Unlocked
    }

    /// Opens the database, brings its schema up to date, unlocks its secrets with the master key, runs `body`
    /// with a runtime over both, and closes the database whatever happens.
    func use<T>(logger: Logger, _ body: (Runtime, Opened) async throws -> T) async throws -> T {
        let db = try open(logger: logger)
        do {
            let applied = try await Migrations.migrate(db)
            let key = try await MasterKey.unlock(
                db, keyFile: keyPath, explicitFile: keyFile != nil, environment: ProcessInfo.processInfo.environment,
                at: Date())
            let result = try await body(Runtime(database: db, secrets: key.secrets), Opened(applied: applied, key: key))
            try await db.close()
            return result
        } catch {
            try? await db.close()
            throw error
        }
    }
}

enum Logs {
    static func bootstrap() -> Logger {
        let level = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = ServerLogHandler(lines: .standardError(label: label))
            handler.logLevel = level
            return handler
        }
        return Logger(label: "posguard")
    }
}

/// Writes a line to standard output at once, so that a supervisor or test harness reading a pipe sees
/// each line as it happens.
func say(_ text: String, terminator: String = "\n") {
    FileHandle.standardOutput.write(Data((text + terminator).utf8))
}
