import Foundation
import Logging
import PosGuardServices
import ServiceLifecycle

/// Runs the silence sweep every `interval` until shutdown, beside the HTTP server.
struct SilenceWatchdog: Service {
    let silence: SilenceWatch
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try await cancelOnGracefulShutdown { await sweepUntilCancelled() }
    }

    private func sweepUntilCancelled() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
            } catch {
                return  // cancelled on graceful shutdown
            }
            do {
                let raised = try await silence.sweep()
                if raised > 0 { logger.info("silence sweep raised \(raised) alert(s)") }
            } catch {
                logger.error("silence sweep failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
