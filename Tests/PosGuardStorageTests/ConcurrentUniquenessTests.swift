import Foundation
import PosGuardDomain
import PosGuardServices
import PosGuardStorage
import PosGuardTestSupport
import Testing

/// Requests racing for the same unique key: each database checks before writing, but two transactions can
/// both pass the check. The loser is refused as a duplicate (409 over HTTP), never a server failure.
@Suite("Concurrent duplicates")
struct ConcurrentUniquenessTests {
    @Test(arguments: TestDatabase.available)
    func ofTerminalsRacingForOneSerialAndTIDOneIsRegistered(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let admin = try await tenant.caller("admin@harbour.demo")
            let store = try #require(try await tenant.allTerminals(admin).first).storeID
            let outcomes = await withTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        do {
                            _ = try await tenant.app.terminals.register(
                                .init(
                                    storeID: store,
                                    details: TerminalDetails(
                                        make: "Ingenico", model: "Move/5000", serial: "RACE-0001", tid: "RACE0001",
                                        mid: "MID-RACE")),
                                by: admin)
                            return "registered"
                        } catch ServiceError.conflict {
                            return "duplicate"
                        } catch is Database.DuplicateEntry {
                            return "duplicate"
                        } catch {
                            return "failed: \(error)"
                        }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "registered" }.count == 1, "\(outcomes)")
            #expect(outcomes.filter { $0 == "duplicate" }.count == 7, "\(outcomes)")
            let named = try await tenant.allTerminals(admin).filter { $0.serial == "RACE-0001" }
            #expect(named.count == 1)
        }
    }
}
