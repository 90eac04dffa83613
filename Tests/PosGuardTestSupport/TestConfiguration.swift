import Foundation
import PosGuardApp
import PosGuardServices

extension PosGuardConfiguration {
    /// A test instance on `runtime`: cheap bcrypt so tests stay fast, no ISO 8583 gateway, and no background
    /// jobs — the tests move the clock themselves and run a job when they mean to.
    public static func test(_ runtime: Runtime) -> PosGuardConfiguration {
        var configuration = PosGuardConfiguration(runtime: runtime, hasher: PasswordHasher(cost: 4))
        configuration.iso8583Port = nil
        configuration.jobs = []
        configuration.evidence.directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("posguard-evidence-\(UUID().uuidString.lowercased())", isDirectory: true)
        configuration.logger = TestDatabase.logger
        return configuration
    }
}
