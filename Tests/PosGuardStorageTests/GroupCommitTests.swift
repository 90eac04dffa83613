import Foundation
import PosGuardTestSupport
import SQLKit
import Synchronization
import Testing

@_spi(SQL) @testable import PosGuardStorage

@Suite("Group commit")
struct GroupCommitTests {
    /// The size of each group committed.
    final class Groups: Sendable {
        let sizes = Mutex<[Int]>([])
    }

    /// A committer writing one row per input, failing the whole group whenever it holds `poison`, holding a
    /// group with 0 in it until `held` opens, and counting the transactions it ran in.
    static func committer(
        _ db: Database, groups: Groups, poison: Int = -1, held: Gate? = nil,
        weigh: @escaping @Sendable (Int) -> Int = { _ in 1 }, gather: (@Sendable () async -> Void)? = nil
    ) -> GroupCommit<Int, Int> {
        GroupCommit(database: db, weigh: weigh, gather: gather) { inputs, work in
            groups.sizes.withLock { $0.append(inputs.count) }
            if let held, inputs.contains(0) { await held.wait() }
            for n in inputs {
                try await work.sql.raw("INSERT INTO group_commit_rows (n) VALUES (\(bind: n))").run()
            }
            if inputs.contains(poison) { throw CancellationError() }
            return inputs.map { $0 * 10 }
        }
    }

    /// Opens once; whoever waits on it before then waits until it does.
    final class Gate: Sendable {
        private let state = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

        var isOpen: Bool { state.withLock { $0.open } }

        func wait() async {
            await withCheckedContinuation { continuation in
                let open = state.withLock { s in
                    if !s.open { s.waiting.append(continuation) }
                    return s.open
                }
                if open { continuation.resume() }
            }
        }

        func open() {
            let waiting = state.withLock { s in
                s.open = true
                defer { s.waiting = [] }
                return s.waiting
            }
            for continuation in waiting { continuation.resume() }
        }
    }

    static func createTable(_ db: Database) async throws {
        try await db.withSQL { try await $0.raw("CREATE TABLE group_commit_rows (n INTEGER PRIMARY KEY)").run() }
    }

    // A broken wait hangs: the limit ends it. Generous, since the whole suite runs at once and shares the
    // machine's cores (on two slow cores, a minute was seen to pass before this test was done setting up).
    @Test(.timeLimit(.minutes(10)), arguments: TestDatabase.available)
    func aBusyServersNextGroupWaitsForCompanyAndAnIdleOneNever(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            try await Self.createTable(db)
            let groups = Groups()
            let (blocked, gathering, gathered) = (Gate(), Gate(), Gate())
            let committer = Self.committer(
                db, groups: groups, held: blocked,
                gather: {
                    gathering.open()
                    await gathered.wait()
                })
            // Alone, a write commits at once, and nothing waits for company after it.
            #expect(try await committer.run(100) == 1000)
            try await until("the committer is idle again") { !committer.isCommitting }
            #expect(!gathering.isOpen, "an idle server's write never waits")
            #expect(groups.sizes.withLock { $0 } == [1])

            // Busy: three writes wait while a group commits; when it has, the next group gathers, and two
            // writes that come meanwhile join it.
            groups.sizes.withLock { $0 = [] }
            let first = Task { try await committer.run(0) }
            try await until("the first write's group is committing") { groups.sizes.withLock { $0 } == [1] }
            let early = (1...3).map { n in Task { try await committer.run(n) } }
            try await until("three writes wait") { committer.waiting.count == 3 }
            blocked.open()
            try await until("the next group gathers") { gathering.isOpen }
            let late = (4...5).map { n in Task { try await committer.run(n) } }
            try await until("five writes wait") { committer.waiting.count == 5 }
            gathered.open()
            #expect(try await first.value == 0)
            for (n, task) in zip(1...5, early + late) { #expect(try await task.value == n * 10) }
            #expect(groups.sizes.withLock { $0 } == [1, 5], "the writes that came while it gathered joined the group")
        }
    }

    @Test(.timeLimit(.minutes(10)), arguments: TestDatabase.available)
    func writesThatWeighEnoughStartAtOnce(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            try await Self.createTable(db)
            let groups = Groups()
            let blocked = Gate()
            let gathered = Mutex(0)
            // Each write weighs its number: two waiting writes of 60 and 70 weigh more than the company's 64.
            let committer = Self.committer(
                db, groups: groups, held: blocked, weigh: { $0 }, gather: { gathered.withLock { $0 += 1 } })
            let first = Task { try await committer.run(0) }
            try await until("the first write's group is committing") { groups.sizes.withLock { $0 } == [1] }
            let heavy = [60, 70].map { n in Task { try await committer.run(n) } }
            try await until("two writes wait") { committer.waiting == (2, 130) }
            blocked.open()
            #expect(try await first.value == 0)
            for (n, task) in zip([60, 70], heavy) { #expect(try await task.value == n * 10) }
            #expect(gathered.withLock { $0 } == 0, "writes weighing the company's worth never wait for more")
            #expect(groups.sizes.withLock { $0 } == [1, 2])
        }
    }

    @Test(arguments: TestDatabase.available)
    func concurrentWritesShareTransactionsAndAFailingOneFailsAlone(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            try await Self.createTable(db)
            let groups = Groups()
            let committer = Self.committer(db, groups: groups, poison: 13, gather: GroupCommit<Int, Int>.pause)
            let answers = await withTaskGroup(of: (Int, Int?).self) { tasks in
                for n in 0..<200 { tasks.addTask { (n, try? await committer.run(n)) } }
                return await tasks.reduce(into: [Int: Int?]()) { $0[$1.0] = $1.1 }
            }
            #expect(answers.count == 200)
            #expect(answers[13] == .some(nil), "the failing write is answered with its error")
            #expect((0..<200).filter { $0 != 13 }.allSatisfy { answers[$0] == $0 * 10 }, "every other one commits")
            let stored = try await db.withSQL { sql in
                try await sql.raw("SELECT n FROM group_commit_rows ORDER BY n").all().map {
                    try $0.decode(column: "n", as: Int.self)
                }
            }
            #expect(stored == (0..<200).filter { $0 != 13 }, "nothing of the failing write, all of the others")
            #expect(groups.sizes.withLock { $0.contains { $0 > 1 } }, "concurrent writes shared a transaction")
        }
    }
}
