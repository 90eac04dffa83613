import Foundation

/// A condition a test waited for in vain.
public struct NotWithin: Error, CustomStringConvertible {
    public var description: String
}

/// Returns once `condition` holds, checking every 10 ms; throws `NotWithin` naming `what` after `seconds`.
public func until(_ what: String, within seconds: Double = 15, _ condition: () async throws -> Bool) async throws {
    let start = ContinuousClock.now
    while try await !condition() {
        guard ContinuousClock.now - start < .seconds(seconds) else {
            throw NotWithin(description: "not within \(seconds) s: \(what)")
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}
