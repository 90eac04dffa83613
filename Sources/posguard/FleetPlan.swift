import Foundation
import NIOCore
import PosGuardDomain

/// What the fleet benchmark sends, decided and signed before the clock starts: batch k is due k / rate
/// seconds into the run, from terminal k mod n, so every terminal reports once per n / rate seconds. A batch
/// holds 1–3 events: a heartbeat, a GPS fix inside the store's geofence, or both, with a sale in one batch of
/// four (or, with `eventsPerBatch`, that many events of those kinds in turn); one batch in 1,000 (in 20 in a
/// short run) also carries a tamper event, and one terminal in 5,000 reports from 5 km away (each of its fixes is a
/// geofence breach on its own).
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

    enum Kind { case heartbeat, location, sale, tamper }

    /// What every batch is made from.
    struct Shape: Sendable {
        var terminals: [FleetSetup.Terminal]
        var rate: Double
        var start: Date
        var host: String
        var eventsPerBatch: Int?
        var tamperEvery: Int
        var walkers: Set<Int>

        /// The kinds of event in batch `k`: a terminal's batches take the four mixes in turn, and one reporting
        /// from away always sends a fix.
        func kinds(_ k: Int) -> [Kind] {
            let t = k % terminals.count
            let mixes: [[Kind]] = [
                [.heartbeat], [.heartbeat, .location], [.location], [.heartbeat, .location, .sale],
            ]
            var kinds: [Kind] =
                eventsPerBatch.map { n in (0..<n).map { [.heartbeat, .location, .sale][$0 % 3] } }
                ?? mixes[(k / terminals.count + t) % 4]
            if walkers.contains(t), !kinds.contains(.location) { kinds.append(.location) }
            if k % tamperEvery == tamperEvery - 1 {
                if eventsPerBatch == nil { kinds.append(.tamper) } else { kinds[kinds.count - 1] = .tamper }
            }
            return kinds
        }
    }

    var batches: [Batch] = []
    var tamperBatches = 0
    var walkers: Set<Int>

    /// Builds and signs `count` batches; `rate` 0 makes every batch due at once. Signs on every core.
    init(
        terminals: [FleetSetup.Terminal], count: Int, rate: Double, eventsPerBatch: Int?, start: Date, host: String
    ) async {
        let n = terminals.count
        // Terminal t sends its first batch as batch t: those past the last batch never report.
        walkers = Set(stride(from: 2_500, to: min(n, count), by: 5_000))
        if walkers.isEmpty, min(n, count) > 1 { walkers = [min(n, count) / 2] }
        let shape = Shape(
            terminals: terminals, rate: rate, start: start, host: host, eventsPerBatch: eventsPerBatch,
            tamperEvery: max(2, min(1_000, count / 20)), walkers: walkers)
        // Each terminal numbers its events without a gap: batch k starts where the terminal's last one ended.
        var next = [Int64](repeating: 1, count: n)
        var firsts = [Int64](repeating: 0, count: count)
        for k in 0..<count {
            firsts[k] = next[k % n]
            next[k % n] += Int64(shape.kinds(k).count)
        }
        let starts = firsts
        let workers = max(ProcessInfo.processInfo.activeProcessorCount, 1)
        let parts = await withTaskGroup(of: (Int, [Batch]).self) { group in
            for w in 0..<workers {
                group.addTask {
                    (w, stride(from: w, to: count, by: workers).map { Self.batch($0, first: starts[$0], shape) })
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

    private static func batch(_ k: Int, first: Int64, _ shape: Shape) -> Batch {
        let t = k % shape.terminals.count
        let terminal = shape.terminals[t]
        let due = shape.rate > 0 ? Double(k) / shape.rate : 0
        let at = RFC3339.format(shape.start.addingTimeInterval(due))
        let kinds = shape.kinds(k)
        let away = shape.walkers.contains(t) ? 0.045 : 0
        var events: [RawSQLiteEvents.Event] = []
        for (i, kind) in kinds.enumerated() {
            let seq = first + Int64(i)
            let j = k + i
            let (type, fields) =
                switch kind {
                case .heartbeat: ("heartbeat", #""battery":\#(40 + j % 60),"charging":\#(j % 2 == 0),"network":"lte""#)
                case .location:
                    (
                        "location",
                        #""lat":\#(terminal.latitude + away + Double(j % 7 - 3) * 0.00002),"#
                            + #""lon":\#(terminal.longitude + Double(j % 5 - 2) * 0.00002),"#
                            + #""accuracy_m":\#(8 + j % 10),"source":"gps""#
                    )
                case .sale:
                    (
                        "transaction",
                        #""kind":"sale","amount_minor":\#(500 + j % 5_000),"currency":"EUR","approved":true"#
                    )
                case .tamper: ("tamper", #""sensor":"case_open""#)
                }
            events.append(
                .init(seq: seq, type: type, body: #"{"seq":\#(seq),"type":"\#(type)","at":"\#(at)",\#(fields)}"#))
        }
        let body = Array(#"{"events":[\#(events.map(\.body).joined(separator: ","))]}"#.utf8)
        let headers = terminal.signer.headers(
            terminal: terminal.id, method: "POST", path: "/agent/v1/events", body: body,
            at: shape.start.addingTimeInterval(due))
        let request = LoadConnection.encode(
            method: "POST", path: "/agent/v1/events", host: shape.host,
            headers: headers.map { ($0.name, $0.value) }, body: body)
        return Batch(request: request, due: due, tamper: kinds.last == .tamper, events: events, terminal: t)
    }
}
