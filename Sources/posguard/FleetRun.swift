import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Sends requests over `connections` keep-alive connections, each when it is due (open loop: a request's
/// latency runs from when it was due, so a server that falls behind is charged for the wait it causes),
/// or, with no due times, each as soon as a connection is free. Counts answers by status. It all runs on one
/// event loop, answers and timers alike, so that a request costs the load generator no hop between threads:
/// the machine's cores go to the server it measures.
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

    /// The connections, all on `loop`, which runs the whole send: no request waits for a thread to pick it up.
    let connections: [LoadConnection]
    let loop: any EventLoop

    init(connections: [LoadConnection], loop: any EventLoop) {
        precondition(!connections.isEmpty, "at least one connection")
        precondition(connections.allSatisfy { $0.channel.eventLoop === loop }, "the connections share one loop")
        self.connections = connections
        self.loop = loop
    }

    /// Sends `requests` (with their due times in seconds and whether they are timed as event → alert) and
    /// returns when all are answered or their connections have failed; `openLoop` false ignores the due times.
    func send(_ requests: [(ByteBuffer, due: Double, tamper: Bool)], openLoop: Bool, tally: Tally) async {
        let done = loop.makePromise(of: Void.self)
        loop.execute { [connections] in
            Schedule(requests: requests, openLoop: openLoop, tally: tally, done: done).start(connections)
        }
        try? await done.futureResult.get()
    }

    /// One send, run on the loop: each connection takes the next request when its answer arrives.
    private final class Schedule {
        let requests: [(ByteBuffer, due: Double, tamper: Bool)]
        let openLoop: Bool
        let tally: Tally
        let done: EventLoopPromise<Void>
        let begin = NIODeadline.now()
        var next = 0
        var busy = 0

        init(
            requests: [(ByteBuffer, due: Double, tamper: Bool)], openLoop: Bool, tally: Tally,
            done: EventLoopPromise<Void>
        ) {
            self.requests = requests
            self.openLoop = openLoop
            self.tally = tally
            self.done = done
        }

        /// Sends over the connections still open: one that failed in an earlier send would fail its first
        /// request here too.
        func start(_ connections: [LoadConnection]) {
            let open = connections.filter { $0.channel.isActive }
            busy = open.count
            guard !open.isEmpty else {
                tally.fail("no connection to the server is open")
                return done.succeed()
            }
            for connection in open { take(connection) }
        }

        /// Sends the next request over `connection` when it is due, or lets the connection rest when none is left.
        private func take(_ connection: LoadConnection) {
            guard next < requests.count else { return rest() }
            let request = requests[next]
            next += 1
            let due = begin + .nanoseconds(Int64(request.due * 1e9))
            if openLoop, due > .now() {
                connection.channel.eventLoop.assumeIsolated().scheduleTask(deadline: due) {
                    self.send(request, over: connection, from: due)
                }
            } else {
                send(request, over: connection, from: openLoop ? due : .now())
            }
        }

        private func send(
            _ request: (ByteBuffer, due: Double, tamper: Bool), over connection: LoadConnection, from: NIODeadline
        ) {
            connection.send(request.0) { outcome in
                switch outcome {
                case .success(let status):
                    let seconds = Double((NIODeadline.now() - from).nanoseconds) / 1e9
                    self.tally.record(Sample(seconds: seconds, tamper: request.tamper), status: status)
                    self.take(connection)
                case .failure(let error):
                    self.tally.fail("\(error)")
                    self.rest()
                }
            }
        }

        /// A connection is done: no request left for it, or it failed.
        private func rest() {
            busy -= 1
            if busy == 0 { done.succeed() }
        }
    }
}
