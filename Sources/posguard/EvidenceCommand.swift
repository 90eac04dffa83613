import ArgumentParser
import Foundation
import PosGuardApp
import PosGuardServices

/// `posguard evidence`: checking an incident's evidence bundle offline, and the instance's bundle key.
struct EvidenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence", abstract: "Check evidence bundles.",
        subcommands: [Verify.self, PublicKey.self])

    /// `posguard evidence verify BUNDLE.zip [--public-key FILE]`: exit 0 when intact, 1 naming what is not.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an evidence bundle: the signature over manifest.json and every file's SHA-256.",
            discussion:
                "Without --public-key the bundle's own public-key.pem is used: that proves the bundle is whole, "
                + "not who made it. Pass the instance's key (`posguard evidence public-key`) to prove that too.")

        @Argument(help: "The bundle (a .zip from GET /api/v1/incidents/{id}/evidence-bundle).")
        var bundle: String

        @Option(help: "PEM file of the instance's Ed25519 public key to check the signature with.")
        var publicKey: String?

        func run() throws {
            var key: String?
            if let publicKey {
                guard let data = FileManager.default.contents(atPath: publicKey) else {
                    throw ValidationError("cannot read the public key file \(publicKey)")
                }
                key = String(decoding: data, as: UTF8.self)
            }
            let verdict: EvidenceBundle.Verdict
            do {
                verdict = try EvidenceBundle.verify(URL(fileURLWithPath: bundle), publicKeyPEM: key)
            } catch {
                say("NOT INTACT: \(bundle) cannot be read as a zip: \(error)")
                throw ExitCode(1)
            }
            guard verdict.intact else {
                say("NOT INTACT: \(bundle)")
                for problem in verdict.problems { say("  \(problem)") }
                throw ExitCode(1)
            }
            say(
                "INTACT: \(bundle): manifest.json signed by "
                    + (publicKey.map { "the key in \($0)" } ?? "the bundle's own public-key.pem")
                    + ", \(verdict.files) file(s) match their SHA-256")
        }
    }

    /// `posguard evidence public-key`: the instance's evidence bundle key, to hand to whoever checks bundles.
    struct PublicKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "public-key", abstract: "Print the instance's public key that signs evidence bundles (PEM).")

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await database.use(logger: Logs.bootstrap()) { runtime, _ in
                say(EvidenceBundle.publicKey(of: runtime), terminator: "")
            }
        }
    }
}
