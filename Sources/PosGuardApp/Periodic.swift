import Foundation
import Logging
import ServiceLifecycle

/// Background work beside the servers — the silence sweep, webhook deliveries — run every `interval`
/// until shutdown. A failed round is logged and the next one tried.
struct Periodic: Service, CustomStringConvertible {
    let name: String
    let interval: Duration
    let logger: Logger
    let work: @Sendable () async throws -> Int
    var description: String { name }

    func run() async throws {
        await cancelWhenGracefulShutdown { await repeatUntilCancelled() }
    }

    private func repeatUntilCancelled() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return  // cancelled on graceful shutdown
            }
            do {
                let done = try await work()
                if done > 0 { logger.debug("\(name): \(done)") }
            } catch {
                logger.error("\(name) failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
