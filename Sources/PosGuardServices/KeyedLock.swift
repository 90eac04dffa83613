import Foundation
import Synchronization

/// Runs work for one key at a time (one terminal's batches in order), while different keys run in
/// parallel. Waiters are served first come, first served.
final class KeyedLock<Key: Hashable & Sendable>: Sendable {
    private struct State {
        var held: Set<Key> = []
        var waiters: [Key: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state = Mutex(State())

    func withLock<T>(_ key: Key, _ body: () async throws -> T) async throws -> T {
        await acquire(key)
        do {
            let result = try await body()
            release(key)
            return result
        } catch {
            release(key)
            throw error
        }
    }

    private func acquire(_ key: Key) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { s -> Bool in
                if s.held.contains(key) {
                    s.waiters[key, default: []].append(continuation)
                    return false
                }
                s.held.insert(key)
                return true
            }
            if now { continuation.resume() }
        }
    }

    private func release(_ key: Key) {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard var queue = s.waiters[key], !queue.isEmpty else {
                s.held.remove(key)
                return nil
            }
            let next = queue.removeFirst()
            s.waiters[key] = queue.isEmpty ? nil : queue
            return next  // the key stays held: handed straight to the next waiter
        }
        next?.resume()
    }
}
