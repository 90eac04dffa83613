import ArgumentParser
import Foundation
import PosGuardServices

/// `posguard audit`: checks the tamper-evident audit log from the operator's shell.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Check the tamper-evident audit log.",
        subcommands: [Verify.self, PublicKey.self])

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Recompute every audit entry, its seal and the signed checkpoints; exit 0 when the log is intact, 1 "
                + "when not, naming the first altered entry.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let verdict = try await database.use(logger: Logs.bootstrap()) { runtime, _ in
                try await PosGuard(runtime: runtime).auditLog.verify()
            }
            if verdict.ok {
                say("The audit log is intact: \(verdict.treeSize) entries.")
                return
            }
            say("The audit log was altered: \(verdict.problem ?? "").")
            if let entry = verdict.firstBadEntry { say("First altered entry: \(entry)") }
            throw ExitCode(1)
        }
    }

    struct PublicKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "public-key",
            abstract: "Print the key that checks the audit log's checkpoints, in the signed-note verifier-key form.")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            say(
                try await database.use(logger: Logs.bootstrap()) { runtime, _ in
                    PosGuard(runtime: runtime).auditLog.verifierKey
                })
        }
    }
}
