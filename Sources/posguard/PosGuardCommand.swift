import ArgumentParser

/// The `posguard` executable: the server and the operator's tools.
@main
struct PosGuardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "posguard",
        abstract: "Protects payment terminals against theft and misuse, and runs the response when one is stolen.",
        subcommands: [
            Serve.self, Migrate.self, ProviderCommand.self, TerminalsCommand.self, AuditCommand.self,
            EvidenceCommand.self, Simulate.self, Bench.self,
        ],
        defaultSubcommand: Serve.self)
}
