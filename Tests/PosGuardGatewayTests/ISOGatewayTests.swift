import Foundation
import PosGuardDomain
import PosGuardGateway
import PosGuardISO8583
import PosGuardServices
import PosGuardTestSupport
import Testing

@Suite("ISO 8583 gateway over a real socket")
struct ISOGatewayTests {
    let codec = ISOCodec()

    func request(_ t: Terminal, stan: String, mti: String = "0100") throws -> [UInt8] {
        try codec.encode(
            ISOMessage(
                mti: mti,
                fields: [
                    2: "4761739001010119", 3: "000000", 4: "000000001250", 11: stan, 37: "5330100" + stan.suffix(5),
                    41: t.tid.padding(toLength: 8, withPad: " ", startingAt: 0),
                    42: t.mid.padding(toLength: 15, withPad: " ", startingAt: 0), 49: "978",
                ]))
    }

    @Test func pipelinedRequestsAreAnsweredInOrderAndBadFramesNeverCrashIt() async throws {
        try await TestDatabase.sqlite.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let admin = try await tenant.caller("admin@harbour.demo")
            let all = try await tenant.allTerminals(admin)
            let active = try #require(all.first { $0.state == .active })
            let stolen = try #require(all.first { $0.state == .stolen })
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let gateway = ISOGateway(
                screening: tenant.app.screening, now: tenant.clock.function, host: "127.0.0.1", port: 0,
                logger: .init(label: "test"))
            let server = Task { try await gateway.run { continuation.yield($0) } }
            defer { server.cancel() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())

            let answers = try await ISOClient.connect(host: "127.0.0.1", port: port) { session in
                // Three requests in one write, then one that cannot be read.
                let pipelined = try [
                    request(active, stan: "000001"), request(stolen, stan: "000002", mti: "0200"),
                    request(active, stan: "000003"),
                ]
                try await session.send(
                    pipelined.flatMap { [UInt8($0.count >> 8), UInt8($0.count & 0xFF)] + $0 }, framed: false)
                try await session.send(Array("0100ZZZZ".utf8))
                var answers: [ISOMessage] = []
                for _ in 0..<4 { answers.append(try codec.decode(try #require(try await session.receive()))) }
                return answers
            }
            #expect(answers.map(\.mti) == ["0110", "0210", "0110", "0110"])
            #expect(answers.map { $0[39] } == ["00", "58", "00", "30"])
            #expect(answers.prefix(3).map { $0[11] } == ["000001", "000002", "000003"], "answered in the order asked")
            #expect(answers.allSatisfy { $0[2] == nil }, "the card number is never echoed")

            // An oversized frame closes its connection, and only that one.
            let closed = try await ISOClient.connect(host: "127.0.0.1", port: port) { session in
                try await session.send([0xFF, 0xFF, 0x30], framed: false)
                return try await session.receive() == nil
            }
            #expect(closed)
            let after = try await ISOClient.connect(host: "127.0.0.1", port: port) { session in
                try await session.send(try request(active, stan: "000009"))
                return try codec.decode(try #require(try await session.receive()))[39]
            }
            #expect(after == "00")
            #expect(try await tenant.app.screening.flush() == 1, "the stolen terminal's decline is logged")
        }
    }
}
