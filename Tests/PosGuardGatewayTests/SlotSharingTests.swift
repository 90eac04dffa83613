import AsyncHTTPClient
import Foundation
import NIOCore
import PosGuardApp
import PosGuardDomain
import PosGuardServices
@_spi(SQL) import PosGuardStorage
import PosGuardTestSupport
import Testing

/// Two instances on one PostgreSQL, each with its own pool and HTTP server on loopback, sharing the slots
/// of detection's memory: a terminal's batches, sent to either, are judged by the one holding its store.
@Suite(
    "Detection shared by instances",
    .enabled(if: TestDatabase.available.contains(.postgres), "needs POSGUARD_TEST_DATABASE_URL"))
struct SlotSharingTests {
    /// Runs `application` until the task is cancelled; returns its HTTP port once it listens.
    func start(_ application: PosGuardApplication) async throws -> (port: Int, task: Task<Void, any Error>) {
        var application = application
        let (ports, listening) = AsyncStream<Int>.makeStream()
        application.onHTTPListening = { listening.yield($0) }
        let task = Task { [application] in try await application.runService(gracefulShutdownSignals: []) }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        return (port, task)
    }

    /// A signed batch as an agent sends it: the same bytes can be sent again to see a replay refused.
    struct Signed {
        var body: [UInt8]
        var headers: [(name: String, value: String)]
        var path = "/agent/v1/events"

        func send(to port: Int) async throws -> (status: Int, text: String) {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 1 << 20)))
        }
    }

    @Test func aTerminalsBatchesSentToEitherInstanceAreJudgedByOneAndAReplayAtTheOtherIsRefused() async throws {
        try await TestDatabase.postgres.withMigrated { db async throws in
            let secrets = SecretBox.random()
            try await SealedSecrets.adopt(secrets, in: db, at: Date())
            let other = try db.sibling()
            func instance(_ database: Database, demo: Bool) async throws -> PosGuardApplication {
                var configuration = PosGuardConfiguration.test(Runtime(database: database, secrets: secrets))
                configuration.demo = demo
                configuration.port = 0
                configuration.jobs = [.slotSharing, .changeRelay]
                configuration.http.trustedProxies = [try IPNetwork(cidr: "127.0.0.0/8")]
                return try await buildApplication(configuration)
            }
            let first = try await instance(db, demo: true)
            let second = try await instance(other, demo: false)
            let (a, runningA) = try await start(first)
            let (b, runningB) = try await start(second)
            let ownerships = [first.posGuard.ownership, second.posGuard.ownership]
            try await until("the slots are shared, and each instance knows who holds which") {
                ownerships.map(\.snapshot.held) == [Slots.count / 2, Slots.count / 2]
                    && ownerships.allSatisfy { $0.snapshot.located == Slots.count }
            }

            let app = first.posGuard
            let caller = Caller.system("test", provider: try await app.providers.all()[0].id, at: Date())
            let terminal = try #require(
                try await app.terminals.list(.init(state: .active), after: nil, limit: 1, by: caller).items.first)
            let store = try await app.stores.find(terminal.storeID, by: caller)
            let code = try await app.enrollment.issueCode(for: terminal.id, by: caller)
            let signer = AgentSigner()
            _ = try await app.enrollment.enroll(
                .init(code: code.code, publicKey: signer.publicKey, serial: terminal.serial, tid: terminal.tid),
                source: nil)
            func batch(_ seq: Int) -> Signed {
                // 300 m north of the shop, precisely: each fix outside, three of them a breach.
                let body = Array(
                    #"{"events":[{"seq":\#(seq),"type":"location","at":"\#(RFC3339.format(Date()))","lat":\#(store.geofence.latitude + 0.0027),"lon":\#(store.geofence.longitude),"accuracy_m":8,"source":"gps"}]}"#
                        .utf8)
                let headers = signer.headers(
                    terminal: terminal.id, method: "POST", path: "/agent/v1/events", body: body, at: Date())
                return Signed(body: body, headers: headers.map { ($0.name, $0.value) })
            }
            var last: Signed? = nil
            for seq in 1...6 {
                let signed = batch(seq)
                let answer = try await signed.send(to: seq % 2 == 0 ? a : b)
                #expect(answer.status == 200, "batch \(seq): \(answer.text)")
                last = signed
            }
            let alerts = try await app.alerts.list(.init(terminalID: terminal.id), after: nil, limit: 50, by: caller)
                .items
            #expect(
                alerts.map(\.rule) == [.geofenceBreach], "one breach, no gap: the batches were judged as one stream")
            #expect(alerts.first?.occurrences == 1)
            #expect(ownerships.map(\.snapshot.forwarded).reduce(0, +) >= 3, "the instance not holding it sent them on")
            for port in [a, b] {
                let replay = try await #require(last).send(to: port)
                #expect(replay.status == 409, "a replay at either instance: \(replay.text)")
            }

            let slot = Slots.slot(of: terminal.storeID)
            let holder = try #require(
                try await db.withConnection { try await InstanceRepository().owners(on: $0) }[slot])
            let (holderPort, otherPort) = ownerships[0].instance == holder.id ? (a, b) : (b, a)

            // A command acknowledgement sent on by the instance not holding the terminal keeps, in the audit log,
            // the address the agent's request came from (here through a proxy both trust); an address claimed
            // without the instances' seal is not believed.
            func acknowledgement(of command: TerminalCommand, adding extra: [(String, String)]) -> Signed {
                let path = "/agent/v1/commands/\(command.id.uuidString)/ack"
                let body = Array(#"{"status":"done"}"#.utf8)
                let headers = signer.headers(terminal: terminal.id, method: "POST", path: path, body: body, at: Date())
                return Signed(body: body, headers: headers.map { ($0.name, $0.value) } + extra, path: path)
            }
            func source(of command: TerminalCommand) async throws -> String? {
                try await app.auditLog.list(target: command.id, after: nil, limit: 10, by: caller).items
                    .first { $0.action == "command.done" }?.source
            }
            let located = try await app.commands.issue(.init(type: .locate), to: terminal.id, by: caller)
            let proxied = try await acknowledgement(of: located, adding: [("X-Forwarded-For", "203.0.113.9")])
                .send(to: otherPort)
            #expect(proxied.status == 200, "\(proxied.text)")
            #expect(try await source(of: located) == "203.0.113.9", "the agent's address, not the sending instance's")
            let another = try await app.commands.issue(.init(type: .locate), to: terminal.id, by: caller)
            let forged = try await acknowledgement(
                of: another,
                adding: [
                    ("PosGuard-Forwarded-By", ownerships.first { $0.instance != holder.id }!.instance),
                    ("PosGuard-Forwarded-For", "198.51.100.7"), ("PosGuard-Forwarded-Seal", "c2VhbGVk"),
                ]
            ).send(to: holderPort)
            #expect(forged.status == 200, "\(forged.text)")
            #expect(try await source(of: another) == "127.0.0.1", "an address claimed without the seal")

            // The holder lost the connection holding its locks without noticing yet, and the other instance
            // took the slot meanwhile: the holder's batches under way can no longer commit.
            let taker = ownerships.first { $0.instance != holder.id }!.instance
            func writeDown(_ owner: String) async throws {
                try await db.withConnection { work in
                    try await work.sql.raw(
                        "UPDATE slot_owners SET instance_id = \(bind: owner) WHERE slot = \(bind: Int64(slot))"
                    ).run()
                }
            }
            try await writeDown(taker)
            let stored = try await app.ingest.latestEvents(of: terminal.id, limit: 50, by: caller).count
            let seventh = batch(7)
            let fenced = try await seventh.send(to: holderPort)
            #expect(fenced.status == 503, "a batch judged by a holder that lost its slot: \(fenced.text)")
            #expect(try await app.ingest.latestEvents(of: terminal.id, limit: 50, by: caller).count == stored)
            try await writeDown(holder.id)
            let again = try await seventh.send(to: holderPort)
            #expect(again.status == 200, "the very same request, sent again as the 503 said: \(again.text)")

            // The second instance stops: the first takes its slots over and goes on with the terminal.
            runningB.cancel()
            _ = try? await runningB.value
            try await until("the first instance holds every slot") { ownerships[0].snapshot.held == Slots.count }
            #expect(ownerships[0].snapshot.handedOver >= Slots.count / 2)
            #expect(try await batch(8).send(to: a).status == 200)
            runningA.cancel()
            _ = try? await runningA.value
            try await other.close()
        }
    }
}
