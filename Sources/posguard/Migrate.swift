import ArgumentParser
import Foundation
import PosGuardStorage

/// `posguard migrate`: brings the schema up to this binary's version.
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await database.use(logger: Logs.bootstrap()) { _, opened in
            let applied = opened.applied
            if applied.isEmpty {
                say("\(database.description): schema is at version \(Migrations.latest), nothing to apply.")
            } else {
                say(
                    "\(database.description): applied migration(s) \(applied.map(String.init).joined(separator: ", ")); schema is at version \(Migrations.latest)."
                )
            }
        }
    }
}
