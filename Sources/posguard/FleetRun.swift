import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Sends requests over `connections` keep-alive connections, each when it is due (open loop: a request's
/// latency runs from when it was due, so a server that falls behind is charged for the wait it causes),
/// or, with no due times, each as soon as a connection is free. Counts answers by status.
struct FleetRun {
    struct Sample {
        var seconds: Double
        var tamper: Bool
    }

    /// What the run has seen so far, shared by the connections and read by the progress line.
    final class Tally: Sendable {
        private struct State {
            var samples: [Sample] = []
            var statuses: [Int: Int] = [:]
            var failures: [String] = []
        }
        private let state = NIOLockedValueBox(State())

        func record(_ sample: Sample, status: Int) {
            state.withLockedValue {
                $0.statuses[status, default: 0] += 1
                if status == 200 { $0.samples.append(sample) }
            }
        }

        func fail(_ reason: String) { state.withLockedValue { $0.failures.append(reason) } }

        var samples: [Sample] { state.withLockedValue { $0.samples } }
        var statuses: [Int: Int] { state.withLockedValue { $0.statuses } }
        var failures: [String] { state.withLockedValue { $0.failures } }

        /// What the progress line shows, read together so an answer being recorded is never counted as an
        /// error: the latencies of the samples from index `from` on, the samples now, the answers now, and the
        /// errors so far (answers other than 200, and failures).
        func recent(from: Int) -> (latencies: [Double], count: Int, answered: Int, errors: Int) {
            state.withLockedValue { s in
                let answered = s.statuses.values.reduce(0, +)
                return (
                    s.samples[min(from, s.samples.count)...].map(\.seconds), s.samples.count, answered,
                    answered - (s.statuses[200] ?? 0) + s.failures.count
                )
            }
        }
    }

    let connections: [LoadConnection]

    /// Sends `requests` (with their due times in seconds and whether they are timed as event → alert) and
    /// returns when all are answered; `openLoop` false ignores the due times.
    func send(_ requests: [(ByteBuffer, due: Double, tamper: Bool)], openLoop: Bool, tally: Tally) async {
        let next = NIOLockedValueBox(0)
        let begin = ContinuousClock.now
        await withTaskGroup(of: Void.self) { group in
            for connection in connections {
                group.addTask {
                    while true {
                        let k = next.withLockedValue { next in
                            defer { next += 1 }
                            return next
                        }
                        guard k < requests.count else { return }
                        let request = requests[k]
                        let due = begin + .seconds(request.due)
                        if openLoop, due > .now { try? await Task.sleep(until: due, clock: .continuous) }
                        let sent = ContinuousClock.now
                        do {
                            let status = try await connection.send(request.0)
                            let from = openLoop ? due : sent
                            tally.record(
                                Sample(seconds: BenchKit.seconds(.now - from), tamper: request.tamper), status: status)
                        } catch {
                            tally.fail("\(error)")
                            return
                        }
                    }
                }
            }
        }
    }
}
