import AsyncHTTPClient
import Foundation
import PosGuardGateway
import Synchronization

/// The windows of time a soak is measured in, and what was measured in each: valid requests' latencies, health
/// probes, the process's memory and files. Clients record as they go; a window is reported once it has passed.
final class SoakPhases: Sendable {
    struct Window: Sendable {
        var name: String
        /// Seconds since the start.
        var range: Range<Double>
    }

    private struct Record {
        var latencies: [Double] = []
        var failures = 0
        var health: [Double] = []
        var healthFailures = 0
    }

    let windows: [Window]
    let start = ContinuousClock.now
    private let records: Mutex<[Record]>
    /// Each window's figures once reported: throughput, p50 and p99 in ms.
    private let reported = Mutex<[Int: (rate: Double, p50: Double, p99: Double)]>([:])

    init(windows: [Window]) {
        self.windows = windows
        records = Mutex(Array(repeating: Record(), count: windows.count))
    }

    private func window(at instant: ContinuousClock.Instant) -> Int? {
        let t = BenchKit.seconds(instant - start)
        return windows.firstIndex { $0.range.contains(t) }
    }

    /// One connection sending valid requests one after another until `end`, reconnecting if it is closed.
    func valid(port: Int, frames: [[UInt8]], offset: Int, until end: ContinuousClock.Instant) async {
        var next = offset
        while ContinuousClock.now < end {
            do {
                try await ISOClient.connect(host: "127.0.0.1", port: port) { session in
                    while ContinuousClock.now < end {
                        let sent = ContinuousClock.now
                        try await session.send(frames[next % frames.count])
                        next += 1
                        guard try await session.receive() != nil else { return }
                        let done = ContinuousClock.now
                        if let w = window(at: done) {
                            records.withLock { $0[w].latencies.append(BenchKit.seconds(done - sent)) }
                        }
                    }
                }
            } catch {
                if let w = window(at: .now) { records.withLock { $0[w].failures += 1 } }
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// `GET /healthz` twice a second on a fresh connection each time, with a 2-second timeout.
    func probeHealth(http: HTTPClient, port: Int, until end: ContinuousClock.Instant) async {
        while ContinuousClock.now < end {
            let sent = ContinuousClock.now
            var ok = false
            if let response = try? await http.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(2))
            {
                ok = response.status == .ok
                _ = try? await response.body.collect(upTo: 4096)
            }
            if let w = window(at: .now) {
                records.withLock {
                    if ok {
                        $0[w].health.append(BenchKit.seconds(ContinuousClock.now - sent))
                    } else {
                        $0[w].healthFailures += 1
                    }
                }
            }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }

    static let header =
        "window                        RSS MiB   fds  gw conns   valid msg/s    p50 ms    p99 ms  errors   healthz ok  healthz p99 ms"

    /// The line for window `w`, with the process's memory and files and the gateway's connections now.
    func report(_ w: Int, gateway: ISOConnections.Statistics) -> String {
        let record = records.withLock { $0[w] }
        let latencies = BenchKit.Latencies(record.latencies)
        let health = BenchKit.Latencies(record.health)
        let rate = Double(record.latencies.count) / (windows[w].range.upperBound - windows[w].range.lowerBound)
        reported.withLock { $0[w] = (rate, latencies.ms(0.5), latencies.ms(0.99)) }
        return String(
            format: "%@ %9.1f %5d %9d %13.0f %9.2f %9.2f %7d %7d/%-4d %14.1f",
            windows[w].name.padding(toLength: 28, withPad: " ", startingAt: 0),
            Double(BenchKit.residentKiB()) / 1024, BenchKit.openDescriptors(), gateway.open, rate,
            latencies.ms(0.5), latencies.ms(0.99), record.failures, record.health.count,
            record.health.count + record.healthFailures, health.ms(0.99))
    }

    /// Each attack window's throughput and latency as a ratio of the limit's (the first window).
    var ratios: String {
        let figures = reported.withLock { $0 }
        guard let limit = figures[0] else { return "" }
        return (1..<windows.count).compactMap { w in
            figures[w].map {
                String(
                    format: "%@: throughput ×%.2f of the limit, p50 ×%.2f, p99 ×%.2f", windows[w].name,
                    $0.rate / limit.rate,
                    $0.p50 / limit.p50, $0.p99 / limit.p99)
            }
        }.joined(separator: "\n")
    }
}
