import ArgumentParser
import Foundation
import PosGuardDomain
import PosGuardServices

/// `posguard provider create`: a new tenant with its first admin — how a real deployment starts.
struct ProviderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provider", abstract: "Manage providers (tenants).", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Create a provider and its first admin. The password is read from $POSGUARD_ADMIN_PASSWORD or standard input."
        )

        @Option(help: "The provider's name.") var name: String
        @Option(help: "Email of the first provider admin.") var adminEmail: String
        @Option(help: "Full name of the first provider admin.") var adminName: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let password =
                ProcessInfo.processInfo.environment["POSGUARD_ADMIN_PASSWORD"]
                ?? {
                    say("Password for \(adminEmail): ", terminator: "")
                    return readLine(strippingNewline: true) ?? ""
                }()
            try await database.use(logger: Logs.bootstrap()) { runtime, _ in
                let app = PosGuard(runtime: runtime)
                let (provider, admin): (Provider, User)
                do {
                    (provider, admin) = try await app.providers.create(
                        name: name,
                        admin: .init(email: adminEmail, name: adminName, role: .providerAdmin, password: password),
                        actor: "cli")
                } catch let failure as ValidationFailure {
                    let flags = ["name": "--name", "admin_email": "--admin-email", "admin_name": "--admin-name"]
                    throw ValidationError(
                        failure.errors.map { "\(flags[$0.field] ?? "the password") \($0.message)" }
                            .joined(separator: "; "))
                } catch ServiceError.conflict(_, let message) {
                    throw ValidationError(message)
                }
                say("Created provider \(provider.name) (\(provider.id.key)) with admin \(admin.email).")
            }
        }
    }
}
