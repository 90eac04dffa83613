import ArgumentParser
import Foundation
import PosGuardDomain
import PosGuardServices
import PosGuardStorage

/// `posguard terminals import FILE`: registers an inventory spreadsheet, all rows or none.
struct TerminalsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "terminals", abstract: "Manage the terminal registry.", subcommands: [Import.self])

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
            try await database.use(logger: Logs.bootstrap()) { db, _ in
                let app = PosGuard(runtime: Runtime(database: db))
                let providers = try await db.withConnection { try await ProviderRepository().all(on: $0) }
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
