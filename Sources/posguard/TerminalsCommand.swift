import ArgumentParser
import Foundation
import PosGuardDomain
import PosGuardServices

/// `posguard terminals import FILE`: registers an inventory spreadsheet, all rows or none.
struct TerminalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terminals", abstract: "Manage the terminal registry.", subcommands: [Import.self, Send.self])

    /// `posguard terminals send ID --type lock --message …`: a remote command from the operator's shell.
    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Queue a remote command (lock, unlock, locate, display_message, wipe_keys, reboot) for a terminal.")

        @Argument(help: "The terminal's id.") var terminal: String
        @Option(help: "lock, unlock, locate, display_message, wipe_keys or reboot.") var type: String
        @Option(help: "Text shown on the terminal (lock, display_message; up to 350 characters).") var message: String?
        @Option(help: "Phone number shown in lost mode.") var contactPhone: String?
        @Option(help: "Email address shown in lost mode.") var contactEmail: String?
        @Option(help: "Why, for the audit log.") var reason: String = "sent from the command line"
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let id = UUID(uuidString: terminal) else { throw ValidationError("the terminal id must be a UUID") }
            guard let kind = TerminalCommand.Kind(rawValue: type) else {
                throw ValidationError(
                    "--type must be one of " + TerminalCommand.Kind.allCases.map(\.rawValue).joined(separator: ", "))
            }
            try await database.use(logger: Logs.bootstrap()) { runtime, _ in
                let app = PosGuard(runtime: runtime)
                guard let provider = try await app.terminals.provider(of: id) else {
                    throw ValidationError("no terminal has id \(terminal)")
                }
                do {
                    let command = try await app.commands.issue(
                        .init(
                            type: kind, message: message, contactPhone: contactPhone, contactEmail: contactEmail,
                            reason: reason),
                        to: id, by: .system("cli", provider: provider, at: app.runtime.now()))
                    say(
                        "Queued \(command.type.rawValue) \(command.id.uuidString) for terminal \(terminal); it goes out with the terminal's next request."
                    )
                } catch let failure as ValidationFailure {
                    throw ValidationError(
                        failure.errors.map { "--\($0.field.replacingOccurrences(of: "_", with: "-")) \($0.message)" }
                            .joined(separator: "; "))
                }
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import terminals from a CSV file with the columns "
                + (TerminalImport.requiredColumns + TerminalImport.optionalColumns).joined(separator: ", ") + ".")

        @Argument(help: "The CSV file.") var file: String
        @Option(help: "Provider name or id (needed when the instance has several).") var provider: String?
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("cannot read \(file)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ValidationError("\(file) is not UTF-8 text")
            }
            try await database.use(logger: Logs.bootstrap()) { runtime, _ in
                let app = PosGuard(runtime: runtime)
                let providers = try await app.providers.all()
                let chosen = providers.filter {
                    provider == nil || $0.name == provider || $0.id.key == provider?.lowercased()
                }
                guard chosen.count == 1, let target = chosen.first else {
                    throw ValidationError(
                        provider == nil && providers.count > 1
                            ? "this instance has several providers: choose one with --provider (\(providers.map(\.name).joined(separator: ", ")))"
                            : "no provider matches \(provider ?? "(none exist yet: run posguard provider create)")")
                }
                do {
                    let count = try await app.terminals.importCSV(
                        text, by: .system("cli", provider: target.id, at: app.runtime.now()))
                    say("Imported \(count) terminals into \(target.name).")
                } catch ServiceError.importRejected(let errors) {
                    say("Nothing was imported: \(file) has \(errors.count) problem(s):")
                    for e in errors { say("  line \(e.line), \(e.field): \(e.message)") }
                    throw ExitCode(65)
                }
            }
        }
    }
}
