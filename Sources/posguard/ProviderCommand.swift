import ArgumentParser
import Foundation
import PosGuardDomain
import PosGuardServices
import PosGuardStorage

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
                let db = runtime.database
                let provider = Provider(id: app.runtime.ids.next(), name: name.trimmingCharacters(in: .whitespaces))
                guard !provider.name.isEmpty else { throw ValidationError("--name must not be empty") }
                let system = Caller.system("cli", provider: provider.id, at: app.runtime.now())
                do {
                    try app.hasher.check(password, email: EmailAddress.normalise(adminEmail))
                } catch let failure as ValidationFailure {
                    throw ValidationError("the password " + failure.errors.map(\.message).joined(separator: "; "))
                }
                let email = EmailAddress.normalise(adminEmail)
                guard EmailAddress.isValid(email) else {
                    throw ValidationError("--admin-email is not an email address")
                }
                try await db.withConnection { db in
                    if try await ProviderRepository().all(on: db).contains(where: { $0.name == provider.name }) {
                        throw ValidationError("a provider named \(provider.name) already exists")
                    }
                    if try await UserRepository(secrets: runtime.secrets).emailExists(email, on: db) {
                        throw ValidationError("a user with email \(email) already exists")
                    }
                }
                try await db.withConnection {
                    try await ProviderRepository().insert(provider, at: app.runtime.now(), on: $0)
                }
                let admin = try await app.users.create(
                    .init(email: adminEmail, name: adminName, role: .providerAdmin, password: password), by: system)
                say("Created provider \(provider.name) (\(provider.id.key)) with admin \(admin.email).")
            }
        }
    }
}
