import Foundation

/// The server the fleet benchmark measures, run as a process of its own (`posguard serve --demo` on a fresh
/// data directory), so that the load generator's work is not counted as the server's: its HTTP port, and
/// its CPU time and memory read from /proc.
final class FleetServer {
    let process: Process
    let port: Int
    let directory: URL

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts `serve --demo` on a free port (SQLite in a temporary directory, or `databaseURL`) and returns
    /// once it listens.
    init(databaseURL: String?) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "posguard-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments =
            ["serve", "--demo", "--port", "0", "--iso8583-port", "0", "--data-dir", directory.path]
            + (databaseURL.map { ["--database-url", $0] } ?? [])
        let output = Pipe()
        process.standardOutput = output
        let log = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        try process.run()
        var seen = ""
        var found: Int? = nil
        while found == nil {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            seen += String(decoding: chunk, as: UTF8.self)
            if let range = seen.range(of: #"HTTP  http://[^:]+:(\d+)/"#, options: .regularExpression) {
                let match = seen[range]
                found = Int(match.split(separator: ":").last?.dropLast() ?? "")
            }
        }
        guard let found else {
            process.terminate()
            throw Failure(description: "the server did not start: \(seen.suffix(400)) (log: \(log.path))")
        }
        port = found
        // Keep reading its output so that it never blocks on a full pipe.
        output.fileHandleForReading.readabilityHandler = { _ = $0.availableData }
    }

    /// Its SQLite file (when it runs on SQLite).
    var databasePath: String { directory.appendingPathComponent("posguard.sqlite").path }

    /// CPU seconds the server has used (user and system).
    var cpuSeconds: Double { Self.cpuSeconds(of: process.processIdentifier) }

    /// CPU seconds process `pid` has used (user and system), from /proc/PID/stat.
    static func cpuSeconds(of pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3, utime 14 and stime 15 (1-based, counting pid and comm).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The server's resident memory now or at its peak, in MiB.
    func residentMiB(peak: Bool) -> Double {
        Double(BenchKit.residentKiB(peak: peak, of: String(process.processIdentifier))) / 1024
    }

    /// Stops the server (SIGTERM, as an orchestrator would) and removes its directory.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }
}
