import ArgumentParser
import Foundation

/// `posguard bench`: measures PosGuard on this machine and prints the figures.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a benchmark and print its figures (use a release build).",
        subcommands: [
            Registry.self, IngestRate.self, DetectionMemory.self, ScreeningRate.self, GatewaySoak.self,
            AuditLogRate.self, Fleet.self,
        ])
}
