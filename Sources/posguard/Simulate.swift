import ArgumentParser
import Foundation
import PosGuardDomain
import PosGuardServices
import PosGuardWeb

/// `posguard simulate`: a fleet of terminals speaking the real agent protocol to a running server, with
/// ordinary shop life and labelled theft scenarios, in faster-than-real time. Prints, per scenario, whether
/// it was detected and how fast, and every false alert; then runs a whole theft response on the grab-and-run
/// terminal through the API and checks its closing report.
struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drive a running server with simulated terminals and theft scenarios, and report what it detected.")

    @Option(help: "The server's base URL.") var url = "http://127.0.0.1:8080"
    @Option(help: "A provider or merchant admin who registers and enrolls the simulated terminals.")
    var email = "admin@harbour.demo"
    @Option(help: "Their password (default: the demo admin's, or $POSGUARD_PASSWORD).")
    var password = ProcessInfo.processInfo.environment["POSGUARD_PASSWORD"] ?? "lighthouse-keeper-42"
    @Option(help: "Simulated terminals (at least one per scenario).") var terminals = 32
    @Option(help: "Simulated hours, ending when the run ends.") var hours = 24.0
    @Option(help: "Simulated seconds per real second: 1 (real time) or at least 10.") var speed = 1440.0
    @Option(help: "Seed for a repeatable run.") var seed: UInt64 = 2026
    @Flag(help: "Exit with status 1 if a scenario goes undetected or anything raises a false alert.") var check = false

    func validate() throws {
        guard terminals >= Scenario.allCases.count else {
            throw ValidationError("--terminals must be at least \(Scenario.allCases.count), one per scenario")
        }
        // Faster than real time, the terminals send a past day as a backlog; the server believes a backlog's
        // times only while it advances at least `EventClock.catchUpRate` times faster than real time.
        guard hours > 0, hours <= 72, speed == 1 || speed >= EventClock.catchUpRate else {
            throw ValidationError("--hours must be 0–72 and --speed 1 or at least \(Int(EventClock.catchUpRate))")
        }
    }

    func run() async throws {
        let client = PosGuardClient(base: url)
        let token = try await client.signIn(email: email, password: password)
        say("Setting up \(terminals) simulated terminals at \(url) …")
        var fleet = try await setUp(client, token: token)
        // The simulated span ends when the run does, so the last events are stamped with the real time.
        let start = Date().addingTimeInterval(hours * 3600 / speed - hours * 3600)
        let minutes = Int(hours * 60)
        var results = Dictionary(
            uniqueKeysWithValues: fleet.filter { !$0.accomplice }.compactMap { t in
                t.scenario.map { ($0, ScenarioResult(scenario: $0, tid: t.tid)) }
            })
        for i in fleet.indices { fleet[i].scenarioStart = scenarioStart(fleet[i], start: start, minutes: minutes) }
        for i in fleet.indices where fleet[i].accomplice {
            fleet[i].scenarioStart = fleet.first { $0.scenario == fleet[i].scenario && !$0.accomplice }?.scenarioStart
        }

        let clock = ContinuousClock()
        let began = clock.now
        var sent = 0
        var refused: [String] = []
        let progress = Progress(total: minutes)
        for minute in 0..<minutes {
            let t = start.addingTimeInterval(Double(minute) * 60)
            for i in fleet.indices {
                fleet[i].ordinaryMinute(t, minute: minute)
                if let s = fleet[i].scenarioStart, t >= s {
                    let elapsed = Int(t.timeIntervalSince(s) / 60)
                    let before = fleet[i].pending.count
                    fleet[i].scenarioMinute(t, elapsed: elapsed)
                    if let scenario = fleet[i].scenario, results[scenario]?.firstEvidenceAt == nil,
                        fleet[i].pending.count > before || (scenario == .swappedDevice && elapsed == 0)
                    {
                        results[scenario]?.firstEvidenceAt = t
                        results[scenario]?.firstEvidenceReal = clock.now
                    }
                    if fleet[i].scenario == .swappedDevice, elapsed == 0 {
                        results[.swappedDevice]?.note = try await impersonate(fleet[i], client, token: token)
                        results[.swappedDevice]?.detectedAt = t
                        results[.swappedDevice]?.detectedReal = clock.now
                    }
                }
            }
            // Terminals report every five minutes, and at once while a scenario is unfolding.
            let flushed = try await flush(
                &fleet, client: client, everything: minute % 5 == 4, token: token, at: t, results: &results)
            sent += flushed.sent
            refused += flushed.refused
            progress.show(minute + 1, detail: "sim \(RFC3339.format(t).prefix(16)) · \(sent) events")
            let due = began + .seconds(Double(minute + 1) * 60 / speed)
            if due > clock.now { try await Task.sleep(until: due, clock: clock) }
        }
        let last = try await flush(
            &fleet, client: client, everything: true, token: token, at: Date(), results: &results)
        sent += last.sent
        refused += last.refused
        progress.finish()
        try await awaitSilence(fleet, client: client, token: token, results: &results)
        for refusal in refused.prefix(10) { say("refused event: \(refusal)") }
        let falseAlerts = try await report(
            fleet, results: results, client: client, token: token, sent: sent, refused: refused.count,
            real: clock.now - began)
        var responseProblems = ["no grab-and-run terminal"]
        if let stolen = fleet.first(where: { $0.scenario == .grabAndRun }) {
            responseProblems = try await TheftResponse(client: client, token: token).run(
                terminal: stolen.id, tid: stolen.tid)
        }
        if check
            && (falseAlerts > 0 || !refused.isEmpty || !responseProblems.isEmpty
                || results.values.contains { $0.scenario.expected != nil && !$0.detected })
        {
            throw ExitCode(1)
        }
    }

    /// Registers, activates and enrolls the simulated terminals across the stores, with a roster per store.
    func setUp(_ client: PosGuardClient, token: String) async throws -> [SimulatedTerminal] {
        let storesJSON = try await client.all("/api/v1/stores", token: token)
        let stores = try storesJSON.map {
            try APIJSON.decoder.decode(Store.self, from: try JSONSerialization.data(withJSONObject: $0))
        }
        guard !stores.isEmpty else { throw ValidationError("the account sees no stores to place terminals in") }
        var rosters: [UUID: [String]] = [:]
        for store in stores {
            let existing = try await client.all("/api/v1/stores/\(store.id.uuidString)/operators", token: token)
                .compactMap { $0["operator_id"] as? String }
            var roster = existing
            if roster.isEmpty {
                for n in 1...3 {
                    let op = "\(store.code)-op\(n)"
                    _ = try await client.expect(
                        200, .PUT, "/api/v1/stores/\(store.id.uuidString)/operators/\(op)", token: token,
                        json: ["name": "Operator \(n)"])
                    roster.append(op)
                }
            }
            rosters[store.id] = roster
        }
        let run = String(UInt32.random(in: 0..<UInt32.max) % 46_656, radix: 36).uppercased()
        let scenarios = Scenario.allCases
        var fleet: [SimulatedTerminal] = []
        for n in 0..<terminals {
            let store = stores[n % stores.count]
            let tid = "S\(run)\(String(n, radix: 36).uppercased())".padding(toLength: 8, withPad: "0", startingAt: 0)
            let serial = "SIM-\(run)-\(n)"
            let registered = try await client.expect(
                201, .POST, "/api/v1/terminals", token: token,
                json: [
                    "store_id": store.id.uuidString, "make": "PosGuard", "model": "Simulated", "serial": serial,
                    "tid": tid,
                    "mid": "SIM\(run)", "firmware_version": "SIM-1.0",
                ])
            guard let idText = registered.object["id"] as? String, let id = UUID(uuidString: idText) else {
                throw PosGuardClient.Failure(description: "registration answered no id")
            }
            _ = try await client.expect(
                200, .POST, "/api/v1/terminals/\(idText)/transitions", token: token,
                json: ["to": "active", "reason": "simulated terminal installed"])
            var terminal = SimulatedTerminal(
                id: id, tid: tid, serial: serial, store: store, roster: rosters[store.id] ?? [],
                scenario: n < scenarios.count ? scenarios[n] : nil, seed: seed &+ UInt64(n))
            let code = try await client.expect(201, .POST, "/api/v1/terminals/\(idText)/enrollment-code", token: token)
            _ = try await client.expect(
                201, .POST, "/agent/v1/enroll",
                json: [
                    "code": code.object["code"] as? String ?? "", "public_key": terminal.signer.publicKey,
                    "serial": serial,
                    "tid": tid,
                ])
            terminal.seq = 0
            if terminal.scenario == .slippedOutThenSilent {
                _ = try await client.expect(
                    200, .PUT, "/api/v1/terminals/\(idText)/detection-settings", token: token,
                    json: ["silent_off_premises_minutes": 1])
            }
            fleet.append(terminal)
        }
        // The split-refund insider's second till: an ordinary terminal of the same store.
        guard let insider = fleet.first(where: { $0.scenario == .insiderSplitRefunds }),
            let other = fleet.firstIndex(where: { $0.scenario == nil && $0.store.id == insider.store.id })
        else {
            throw ValidationError("--terminals must give the split-refund insider a second terminal in the same store")
        }
        fleet[other].scenario = .insiderSplitRefunds
        fleet[other].accomplice = true
        return fleet
    }

    /// Waits, up to two minutes, for the alerts that come only from silence in real time.
    func awaitSilence(
        _ fleet: [SimulatedTerminal], client: PosGuardClient, token: String, results: inout [Scenario: ScenarioResult]
    ) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        for t in fleet where t.scenario?.silences == true && !t.accomplice {
            guard let scenario = t.scenario, let rule = scenario.expected else { continue }
            say("waiting for \(scenario.rawValue) to be noticed in real time …")
            while results[scenario]?.detected == false, ContinuousClock.now < deadline {
                let alerts = try await client.expect(
                    200, .GET, "/api/v1/alerts?terminal_id=\(t.id.uuidString)&rule=\(rule.rawValue)", token: token)
                if !alerts.items.isEmpty {
                    results[scenario]?.detectedAt = Date()
                    results[scenario]?.detectedReal = .now
                } else {
                    try await Task.sleep(for: .seconds(2))
                }
            }
        }
    }

    /// When a scenario begins: at its share of the run, moved to the next moment the store is open or
    /// closed as the scenario needs (searching from the start of the run if none follows, and left where it
    /// is if the run has no such moment at all).
    func scenarioStart(_ t: SimulatedTerminal, start: Date, minutes: Int) -> Date? {
        guard let scenario = t.scenario else { return nil }
        let (fraction, whenClosed) = scenario.start
        let first = Int(Double(minutes) * fraction)
        guard let whenClosed else { return start.addingTimeInterval(Double(first) * 60) }
        for m in Array(stride(from: first, to: minutes - 30, by: 5)) + Array(stride(from: 0, to: first, by: 5)) {
            let moment = start.addingTimeInterval(Double(m) * 60)
            if t.isOpen(moment) != whenClosed { return moment }
        }
        return start.addingTimeInterval(Double(first) * 60)
    }

    /// A different device presents a genuine enrollment code for the terminal: it must be refused.
    func impersonate(_ t: SimulatedTerminal, _ client: PosGuardClient, token: String) async throws -> String {
        let code = try await client.expect(
            201, .POST, "/api/v1/terminals/\(t.id.uuidString)/enrollment-code", token: token)
        let reply = try await client.call(
            .POST, "/agent/v1/enroll",
            json: [
                "code": code.object["code"] as? String ?? "", "public_key": AgentSigner().publicKey,
                "serial": "CLONE-\(t.serial)",
                "tid": t.tid,
            ])
        return reply.status == 403 ? "clone refused at enrollment (403)" : "clone answered \(reply.status): NOT refused"
    }

    /// Sends pending batches: every terminal's on a reporting minute, otherwise only scenario terminals'.
    /// Checks scenario terminals for their expected alert after each of their batches.
    func flush(
        _ fleet: inout [SimulatedTerminal], client: PosGuardClient, everything: Bool, token: String, at t: Date,
        results: inout [Scenario: ScenarioResult]
    ) async throws -> (sent: Int, refused: [String]) {
        let due = fleet.indices.filter { everything || (fleet[$0].scenarioStart.map { t >= $0 } ?? false) }
        var batches: [(Int, [UInt8], Int)] = []
        for i in due { if let batch = fleet[i].takeBatch() { batches.append((i, batch.body, batch.count)) } }
        let snapshot = fleet
        let refused = try await withThrowingTaskGroup(of: [String].self) { group in
            for (i, body, _) in batches {
                group.addTask {
                    let reply = try await client.sendEvents(body, terminal: snapshot[i].id, signer: snapshot[i].signer)
                    guard reply.status == 200 else {
                        throw PosGuardClient.Failure(
                            description: "events from \(snapshot[i].tid) answered \(reply.status): \(reply.json ?? "")")
                    }
                    let refusals = reply.object["refused"] as? [[String: Any]] ?? []
                    if snapshot[i].scenario?.expectsRefusals == true { return [] }
                    return refusals.map { "\(snapshot[i].tid) #\($0["seq"] ?? "?"): \($0["reason"] ?? "")" }
                }
            }
            return try await group.reduce([], +)
        }
        for (i, _, _) in batches {
            guard let scenario = fleet[i].scenario, let rule = scenario.expected, results[scenario]?.detected == false
            else { continue }
            let alerts = try await client.expect(
                200, .GET, "/api/v1/alerts?terminal_id=\(fleet[i].id.uuidString)&rule=\(rule.rawValue)", token: token)
            if !alerts.items.isEmpty {
                results[scenario]?.detectedAt = t
                results[scenario]?.detectedReal = ContinuousClock.now
            }
        }
        return (batches.reduce(0) { $0 + $1.2 }, refused)
    }

    /// Prints the outcome; returns the number of false alerts.
    func report(
        _ fleet: [SimulatedTerminal], results: [Scenario: ScenarioResult], client: PosGuardClient, token: String,
        sent: Int,
        refused: Int, real: Duration
    ) async throws -> Int {
        say(
            "\nSimulated \(Int(hours)) h of \(fleet.count) terminals in \(Int(real.components.seconds)) s: \(sent) events sent, \(refused) refused.\n"
        )
        say("scenario                      TID       detected  evidence → alert        alerts on the terminal")
        var falseAlerts = 0
        for t in fleet {
            let alerts = try await client.all("/api/v1/alerts?terminal_id=\(t.id.uuidString)", token: token)
            let rules = alerts.compactMap { $0["rule"] as? String }
            guard let scenario = t.scenario, let result = results[scenario] else {
                falseAlerts += rules.count
                for rule in rules { say("  false alert: \(rule) on ordinary terminal \(t.tid)") }
                continue
            }
            if scenario.expected == nil && scenario != .swappedDevice { falseAlerts += rules.count }
            var latency = "—"
            if let from = result.firstEvidenceAt, let to = result.detectedAt, let realFrom = result.firstEvidenceReal,
                let realTo = result.detectedReal
            {
                let ms =
                    Double((realTo - realFrom).components.attoseconds) / 1e15 + Double(
                        (realTo - realFrom).components.seconds) * 1000
                latency = "\(Int(to.timeIntervalSince(from) / 60)) sim-min, \(Int(ms)) ms"
            }
            let detected =
                scenario.expected == nil && scenario != .swappedDevice
                ? (rules.isEmpty ? "quiet" : "NOISY") : (result.detected ? "yes" : "NO")
            let name = scenario.rawValue + (t.accomplice ? " (2nd)" : "")
            let row =
                name.padding(toLength: 29, withPad: " ", startingAt: 0) + " " + t.tid + "  "
                + detected.padding(toLength: 9, withPad: " ", startingAt: 0) + " "
                + latency.padding(toLength: 23, withPad: " ", startingAt: 0)
                + " " + (rules.isEmpty ? (result.note.isEmpty ? "none" : result.note) : rules.joined(separator: ", "))
            say(row)
        }
        say("\nfalse alerts: \(falseAlerts)")
        return falseAlerts
    }
}

/// A one-line progress bar on a terminal; a line every tenth of the way otherwise.
struct Progress {
    let total: Int
    let interactive = isatty(STDOUT_FILENO) != 0

    func show(_ done: Int, detail: String) {
        if interactive {
            let width = 30
            let filled = done * width / max(total, 1)
            say(
                "\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] "
                    + "\(done * 100 / max(total, 1))% \(detail)   ", terminator: "")
        } else if done % max(total / 10, 1) == 0 {
            say("\(done * 100 / max(total, 1))% \(detail)")
        }
    }

    func finish() { if interactive { say("") } }
}
