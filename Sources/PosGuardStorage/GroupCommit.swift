import Foundation
import Synchronization

/// Commits the writes of concurrent requests together, in one transaction, as PostgreSQL's commit delay and
/// a log's group commit do: while one group commits, the next gathers, so a busy server pays for a
/// transaction per group — and `commit` may write a whole group's rows in a statement — while an idle one
/// waits for nothing. Each request is answered when the transaction that holds it has committed. A group
/// that fails is rolled back whole and each of its writes retried alone, so one failing write never takes
/// the others down.
///
/// A committer given a way to `gather` (ingest's, with `pause`): when a group has just committed and a few
/// light writes already wait for the next — the server is busy with small ones — the next group waits a
/// moment (`gathering`) for more to join before it begins, as PostgreSQL's `commit_delay` does when other
/// transactions are active: a transaction's statements cost nearly the same for three rows as for a hundred,
/// so the wait is repaid in CPU (measured: small batches as fast as answered, groups of 7 became groups of
/// 20–30, and the server spent 5–10 % less CPU per batch). The wait is a whole `gathering` even when enough
/// writes come sooner.
/// Writes that already weigh `company` between them (ingest weighs a batch by its rows) start at once: their
/// group is worth its transaction, and waiting would only leave the database idle (batches of 100 lost 5 %
/// when they waited too). A write that finds no group committing starts one at once: an idle server never
/// waits.
public final class GroupCommit<Input: Sendable, Output: Sendable>: Sendable {
    /// Writes a group, in order, and answers each of its inputs in the same order.
    public typealias Commit = @Sendable ([Input], UnitOfWork) async throws -> [Output]

    /// At most this many writes share a transaction.
    public static var maximumGroup: Int { 256 }
    /// How long a busy server's next group waits for company, unless the writes waiting weigh `company`.
    public static var gathering: Duration { .milliseconds(2) }
    public static var company: Int { 64 }

    /// The wait for company: `gathering`.
    public static func pause() async { try? await Task.sleep(for: gathering) }

    private struct Waiting: Sendable {
        var input: Input
        var weight: Int
        var done: CheckedContinuation<Output, any Error>
    }

    private struct State: Sendable {
        var queue: [Waiting] = []
        /// What the writes in `queue` weigh together.
        var queuedWeight = 0
        var committing = false
    }

    let database: Database
    let commit: Commit
    /// What a write weighs towards `company`: by default 1.
    let weigh: @Sendable (Input) -> Int
    /// Waits for company; nil never waits (the loaders of what a cold request needs: they are on its way).
    let gather: (@Sendable () async -> Void)?
    private let state = Mutex(State())

    public init(
        database: Database, weigh: @escaping @Sendable (Input) -> Int = { _ in 1 },
        gather: (@Sendable () async -> Void)? = nil,
        commit: @escaping Commit
    ) {
        self.database = database
        self.weigh = weigh
        self.gather = gather
        self.commit = commit
    }

    /// How many writes wait for the next group, and what they weigh.
    var waiting: (count: Int, weight: Int) { state.withLock { ($0.queue.count, $0.queuedWeight) } }
    /// Whether a group is being gathered or committed.
    var isCommitting: Bool { state.withLock { $0.committing } }

    /// Writes `input` in a transaction shared with whatever else is waiting; answers once it has committed.
    public func run(_ input: Input) async throws -> Output {
        let weight = weigh(input)
        return try await withCheckedThrowingContinuation { done in
            let lead = state.withLock { s in
                s.queue.append(Waiting(input: input, weight: weight, done: done))
                s.queuedWeight += weight
                defer { s.committing = true }
                return !s.committing
            }
            if lead { Task(executorPreference: database.preferredExecutor) { await self.commitWhileWaiting() } }
        }
    }

    /// Commits groups until nobody waits.
    private func commitWhileWaiting() async {
        var afterFirstGroup = false
        while true {
            if afterFirstGroup, let gather, (1..<Self.company).contains(waiting.weight) { await gather() }
            afterFirstGroup = true
            let group = state.withLock { s -> [Waiting] in
                let group = Array(s.queue.prefix(Self.maximumGroup))
                s.queue.removeFirst(group.count)
                s.queuedWeight -= group.reduce(0) { $0 + $1.weight }
                if group.isEmpty { s.committing = false }
                return group
            }
            guard !group.isEmpty else { return }
            do {
                let outputs = try await database.transaction { db in
                    let outputs = try await commit(group.map(\.input), db)
                    guard outputs.count == group.count else { throw Unanswered() }
                    return outputs
                }
                for (unit, output) in zip(group, outputs) { unit.done.resume(returning: output) }
            } catch  where group.count > 1 {
                for unit in group {
                    do {
                        let answer = try await database.transaction { db in
                            guard let answer = try await commit([unit.input], db).first else { throw Unanswered() }
                            return answer
                        }
                        unit.done.resume(returning: answer)
                    } catch {
                        unit.done.resume(throwing: error)
                    }
                }
            } catch {
                group[0].done.resume(throwing: error)
            }
        }
    }

    /// A `commit` that answered other than one output per input: a bug, rolled back and answered as an error
    /// rather than a request left waiting for ever.
    struct Unanswered: Error {}
}
