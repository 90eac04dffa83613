import Foundation
@_spi(SQL) import PosGuardStorage
import PosGuardTestSupport
import SQLKit
import Synchronization
import Testing

@Suite("Group commit")
struct GroupCommitTests {
    /// The size of each group committed.
    final class Groups: Sendable {
        let sizes = Mutex<[Int]>([])
    }

    /// A committer writing one row per input, failing the whole group whenever it holds `poison`, and
    /// counting the transactions it ran in.
    static func committer(_ db: Database, poison: Int, groups: Groups) -> GroupCommit<Int, Int> {
        GroupCommit(database: db) { inputs, work in
            groups.sizes.withLock { $0.append(inputs.count) }
            for n in inputs {
                try await work.sql.raw("INSERT INTO group_commit_rows (n) VALUES (\(bind: n))").run()
            }
            if inputs.contains(poison) { throw CancellationError() }
            return inputs.map { $0 * 10 }
        }
    }

    @Test(arguments: TestDatabase.available)
    func concurrentWritesShareTransactionsAndAFailingOneFailsAlone(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            try await db.withSQL { try await $0.raw("CREATE TABLE group_commit_rows (n INTEGER PRIMARY KEY)").run() }
            let groups = Groups()
            let committer = Self.committer(db, poison: 13, groups: groups)
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
