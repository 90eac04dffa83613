import Foundation
import NIOCore
import PosGuardDomain

/// What the fleet benchmark sends, decided and signed before the clock starts: batch k is due k / rate
/// seconds into the run, from terminal k mod n, so every terminal reports once per n / rate seconds. Each
/// batch is a heartbeat and a GPS fix inside the store's geofence, with a sale in one batch of four; one batch
/// in 1,000 (in 20 in a short run) ends with a tamper event, and one terminal in `walkerEvery` reports from 5 km away (each
/// of its fixes is a geofence breach on its own).
struct FleetPlan {
    struct Batch {
        var request: ByteBuffer
        /// Seconds after the start of the run.
        var due: Double
        var tamper: Bool
        /// The events as the server stores them (for the raw SQLite limit).
        var events: [RawSQLiteEvents.Event]
        var terminal: Int
    }

    var batches: [Batch] = []
    var tamperBatches = 0
    var walkers: Set<Int> = []

    static let walkerEvery = 5_000

    /// Builds and signs `count` batches; `rate` 0 makes every batch due at once. Signs on every core.
    init(
        terminals: [FleetSetup.Terminal], count: Int, rate: Double, start: Date, host: String
    ) async {
        let n = terminals.count
        walkers = Set(stride(from: Self.walkerEvery / 2, to: n, by: Self.walkerEvery))
        if walkers.isEmpty, n > 1 { walkers = [n / 2] }
        let workers = max(ProcessInfo.processInfo.activeProcessorCount, 1)
        let walkers = walkers
        let tamperEvery = max(2, min(1_000, count / 20))
        // Each terminal numbers its events without a gap: batch k starts where the terminal's last one ended.
        var next = [Int64](repeating: 1, count: n)
        var firsts = [Int64](repeating: 0, count: count)
        for k in 0..<count {
            firsts[k] = next[k % n]
            next[k % n] += Int64(Self.isTamper(k, every: tamperEvery) || Self.hasSale(k) ? 3 : 2)
        }
        let starts = firsts
        let parts = await withTaskGroup(of: (Int, [Batch]).self) { group in
            for w in 0..<workers {
                group.addTask {
                    var part: [Batch] = []
                    for k in stride(from: w, to: count, by: workers) {
                        part.append(
                            Self.batch(
                                k, first: starts[k], terminals: terminals, rate: rate, start: start, host: host,
                                walkers: walkers, tamperEvery: tamperEvery))
                    }
                    return (w, part)
                }
            }
            var parts = [[Batch]](repeating: [], count: workers)
            for await (w, part) in group { parts[w] = part }
            return parts
        }
        batches.reserveCapacity(count)
        for k in 0..<count { batches.append(parts[k % workers][k / workers]) }
        tamperBatches = batches.count { $0.tamper }
    }

    private static func isTamper(_ k: Int, every: Int) -> Bool { k % every == every - 1 }
    private static func hasSale(_ k: Int) -> Bool { k % 4 == 3 }

    private static func batch(
        _ k: Int, first: Int64, terminals: [FleetSetup.Terminal], rate: Double, start: Date, host: String,
        walkers: Set<Int>,
        tamperEvery: Int
    ) -> Batch {
        let n = terminals.count
        let t = k % n
        let terminal = terminals[t]
        let due = rate > 0 ? Double(k) / rate : 0
        let at = RFC3339.format(start.addingTimeInterval(due))
        var seq = first - 1
        var events: [RawSQLiteEvents.Event] = []
        func add(_ type: String, _ fields: String) {
            seq += 1
            let body = #"{"seq":\#(seq),"type":"\#(type)","at":"\#(at)",\#(fields)}"#
            events.append(.init(seq: seq, type: type, body: body))
        }
        add("heartbeat", #""battery":\#(40 + k % 60),"charging":\#(k % 2 == 0),"network":"lte""#)
        let away = walkers.contains(t) ? 0.045 : 0
        let jitter = Double(k % 7 - 3) * 0.00002
        add(
            "location",
            #""lat":\#(terminal.latitude + away + jitter),"lon":\#(terminal.longitude + jitter),"#
                + #""accuracy_m":\#(8 + k % 10),"source":"gps""#)
        let tamper = isTamper(k, every: tamperEvery)
        if tamper {
            add("tamper", #""sensor":"case_open""#)
        } else if hasSale(k) {
            add("transaction", #""kind":"sale","amount_minor":\#(500 + k % 5_000),"currency":"EUR","approved":true"#)
        }
        let body = Array(#"{"events":[\#(events.map(\.body).joined(separator: ","))]}"#.utf8)
        let headers = terminal.signer.headers(
            terminal: terminal.id, method: "POST", path: "/agent/v1/events", body: body,
            at: start.addingTimeInterval(due))
        let request = LoadConnection.encode(
            method: "POST", path: "/agent/v1/events", host: host, headers: headers.map { ($0.name, $0.value) },
            body: body)
        return Batch(request: request, due: due, tamper: tamper, events: events, terminal: t)
    }
}
