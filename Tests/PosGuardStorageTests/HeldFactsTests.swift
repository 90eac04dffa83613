import Testing

@testable import PosGuardServices

@Suite("Held facts")
struct HeldFactsTests {
    @Test func aReadThatOverlappedAChangeIsNotKept() {
        let held = HeldFacts<[String: Int]>([:])
        let before = held.generation
        held.forget { $0["till"] = nil }
        held.keep(readSince: before) { $0["till"] = 1 }
        #expect(held.read { $0["till"] } == nil, "read before the change: it may hold what the change replaced")

        let since = held.generation
        held.keep(readSince: since) { $0["till"] = 2 }
        #expect(held.read { $0["till"] } == 2)
    }
}
