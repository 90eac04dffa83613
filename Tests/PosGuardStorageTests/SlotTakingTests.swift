import Foundation
@_spi(SQL) import PosGuardStorage
import PosGuardTestSupport
import Testing

/// Taking a slot whose owner row a hung holder keeps locked (its fencing transaction never commits): the taker
/// gives up on that slot after the lock timeout, lets go of its lock, and goes on.
@Suite(
    "Taking a slot of a hung holder",
    .enabled(if: TestDatabase.available.contains(.postgres), "needs POSGUARD_TEST_DATABASE_URL"))
struct SlotTakingTests {
    @Test func aRowLockedByAHungHolderIsLeftForALaterRound() async throws {
        try await TestDatabase.postgres.withMigrated { db async throws in
            let instances = InstanceRepository()
            let now = Date()
            let hung = InstanceRepository.Instance(id: "hung", address: "http://127.0.0.1:1")
            let taker = InstanceRepository.Instance(id: "taker", address: "http://127.0.0.1:2")
            try await db.withConnection { work in
                try await instances.heartbeat(hung, at: now, on: work)
                try await instances.heartbeat(taker, at: now, on: work)
                try await work.sql.raw("INSERT INTO slot_owners (slot, instance_id, since) VALUES (5, 'hung', 0)").run()
            }
            let (locked, holding) = AsyncStream<Void>.makeStream()
            let (released, release) = AsyncStream<Void>.makeStream()
            let holder = Task {
                try await db.transaction { work in
                    let held = try await instances.held([5], by: "hung", on: work)
                    #expect(held == [5])
                    holding.yield()
                    for await _ in released { break }
                }
            }
            var waiting = locked.makeAsyncIterator()
            await waiting.next()
            let (took, again) = try await db.withOwnConnection(deadline: .seconds(60)) { connection in
                try await connection.run { work in
                    try await instances.identify(taker.id, on: work)
                    let start = ContinuousClock.now
                    let took = try await instances.take(slot: 5, for: taker.id, at: now, on: work)
                    // The lock timeout is a second; without it the take would wait for the holder, who lets
                    // go only after it, until the connection's deadline. Loosely bounded: the whole suite
                    // shares the machine's cores.
                    #expect(ContinuousClock.now - start < .seconds(30), "gave up after the lock timeout")
                    release.yield()
                    try await holder.value
                    return (took, try await instances.take(slot: 5, for: taker.id, at: now, on: work))
                }
            }
            #expect(!took, "the hung holder's row is left alone")
            #expect(again, "taken once the holder's transaction ended: its advisory lock was let go")
            let owners = try await db.withConnection { try await instances.owners(on: $0) }
            #expect(owners[5]?.id == taker.id)
        }
    }
}
