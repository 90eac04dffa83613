import Foundation
import PosGuardDomain
import PosGuardGateway
import PosGuardISO8583
import PosGuardServices
import PosGuardTestSupport
import Testing

@Suite("ISO 8583 forwarding")
struct ForwardingTests {
    let codec = ISOCodec()

    func start(_ gateway: ISOGateway) async throws -> (Int, Task<Void, any Error>) {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let task = Task { try await gateway.run { continuation.yield($0) } }
        var iterator = ports.makeAsyncIterator()
        return (try #require(await iterator.next()), task)
    }

    @Test func approvedRequestsAreRelayedUpstreamAndDeclinesAreNot() async throws {
        try await TestDatabase.sqlite.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let all = try await tenant.allTerminals(try await tenant.caller("admin@harbour.demo"))
            let active = try #require(all.first { $0.state == .active })
            let stolen = try #require(all.first { $0.state == .stolen })
            // A stub upstream host: answers every request "05, do not honour" with an authorisation id of its own.
            let codec = codec
            let upstream = ISOGateway(host: "127.0.0.1", port: 0, logger: .init(label: "upstream")) { frame in
                guard let request = try? codec.decode(frame), let mti = request.responseMTI else { return nil }
                return try? codec.encode(
                    ISOMessage(mti: mti, fields: [11: request[11] ?? "000000", 38: "UPSTRM", 39: "05"]))
            }
            let (upstreamPort, upstreamTask) = try await start(upstream)
            let gateway = ISOGateway(
                screening: tenant.app.screening, now: tenant.clock.function, host: "127.0.0.1", port: 0,
                upstream: .init(host: "127.0.0.1", port: upstreamPort), logger: .init(label: "gateway"))
            let (port, gatewayTask) = try await start(gateway)
            defer { gatewayTask.cancel() }

            func request(_ t: Terminal, _ stan: String) throws -> [UInt8] {
                try codec.encode(
                    ISOMessage(
                        mti: "0200",
                        fields: [
                            4: "000000000700", 11: stan, 41: t.tid.padding(toLength: 8, withPad: " ", startingAt: 0),
                            42: t.mid.padding(toLength: 15, withPad: " ", startingAt: 0),
                        ]))
            }
            let answers = try await ISOClient.connect(host: "127.0.0.1", port: port) { session in
                for (t, stan) in [(active, "000001"), (stolen, "000002"), (active, "000003")] {
                    try await session.send(try request(t, stan))
                }
                var answers: [ISOMessage] = []
                for _ in 0..<3 { answers.append(try codec.decode(try #require(try await session.receive()))) }
                return answers
            }
            #expect(answers.map { $0[11] } == ["000001", "000002", "000003"], "in order")
            #expect(
                answers.map { $0[39] } == ["05", "58", "05"],
                "approvals answered by the upstream, the stolen terminal by PosGuard")
            #expect(answers[0][38] == "UPSTRM" && answers[1][38] == nil)

            // With the upstream gone, approvals are answered 91 (issuer or switch inoperative).
            upstreamTask.cancel()
            try await Task.sleep(for: .milliseconds(100))
            let unavailable = try await ISOClient.connect(host: "127.0.0.1", port: port) { session in
                try await session.send(try request(active, "000004"))
                return try codec.decode(try #require(try await session.receive()))[39]
            }
            #expect(unavailable == "91")
        }
    }
}
