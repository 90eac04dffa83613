import Foundation
import PosGuardDomain
import PosGuardGateway
import PosGuardISO8583
import PosGuardServices
@_spi(SQL) import PosGuardStorage
import PosGuardTestSupport
import SQLKit
import Testing

@Suite("Decline log bounds")
struct DeclineLogTests {
    @Test(arguments: TestDatabase.available)
    func aFloodOfDeclinesWritesABoundedLogThatStillCountsEveryDecline(kind: TestDatabase) async throws {
        try await kind.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let desk = tenant.app.screening
            let admin = try await tenant.caller("admin@harbour.demo")
            let stolen = try #require(try await tenant.allTerminals(admin).first { $0.state == .stolen })
            // The clock at the start of a minute, so the whole flood falls in one.
            tenant.clock.advance(60 - tenant.clock.now.timeIntervalSince1970.truncatingRemainder(dividingBy: 60))
            func screenStolen(_ count: Int) {
                for i in 0..<count {
                    _ = desk.screen(
                        ScreeningRequest(
                            tid: stolen.tid, mid: stolen.mid, amountMinor: Int64(100 + i), currency: "EUR",
                            at: tenant.clock.now), pan: nil, channel: "iso8583")
                }
            }
            screenStolen(250)
            try await desk.flush()
            screenStolen(250)
            // Anyone who reaches the port can send requests for TIDs nobody has.
            for i in 0..<2_000 {
                _ = desk.screen(
                    ScreeningRequest(
                        tid: String(format: "X%07d", i), mid: "NOBODY", amountMinor: 1, currency: "EUR",
                        at: tenant.clock.now), pan: nil, channel: "iso8583")
            }
            try await desk.flush()

            #expect(
                try await RawRows.count(of: "screening_declines", in: db) == 11 + 51,
                "10 of the stolen terminal's one by one and one counting the rest; 50 unknown TIDs and one for the rest"
            )
            let logged = try await desk.declines(terminal: stolen.id, after: nil, limit: 50, by: admin).items
            #expect(logged.count == 11)
            #expect(logged.map { 1 + $0.suppressed }.reduce(0, +) == 500, "every decline is counted")
            #expect(logged.last?.suppressed == 489 && logged.last?.amountMinor == 110)
            let overflow = try await db.withSQL {
                try await $0.select().columns("mid", "suppressed").from("screening_declines").where("tid", .equal, "*")
                    .all().map {
                        (
                            try $0.decode(column: "mid", as: String.self),
                            try $0.decode(column: "suppressed", as: Int.self)
                        )
                    }
            }
            #expect(overflow.count == 1 && overflow.first?.0 == "*" && overflow.first?.1 == 1_949)

            // The next minute starts again, and retention deletes what is past it.
            tenant.clock.advance(60)
            screenStolen(1)
            try await desk.flush()
            #expect(try await desk.declines(terminal: stolen.id, after: nil, limit: 50, by: admin).items.count == 12)
            tenant.clock.advance(90 * 86_400)
            #expect(try await desk.prune(olderThan: 90) == 62)
            #expect(try await RawRows.count(of: "screening_declines", in: db) == 1)
        }
    }

    @Test func aFloodOfRequestsForUnknownTIDsOverTheNetworkLeavesABoundedLog() async throws {
        try await TestDatabase.sqlite.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db)
            let gateway = ISOGateway(
                screening: tenant.app.screening, now: tenant.clock.function, host: "127.0.0.1", port: 0,
                logger: .init(label: "test"))
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let server = Task { try await gateway.run { continuation.yield($0) } }
            defer { server.cancel() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let codec = ISOCodec()
            let answered = try await ISOClient.connect(host: "127.0.0.1", port: port) { session in
                var answered = 0
                for burst in 0..<20 {
                    var bytes: [UInt8] = []
                    for i in 0..<100 {
                        let frame = try codec.encode(
                            ISOMessage(
                                mti: "0200",
                                fields: [
                                    4: "000000000100", 11: "000001", 41: String(format: "G%07d", burst * 100 + i),
                                    42: "GARBAGE        ",
                                ]))
                        bytes += [UInt8(frame.count >> 8), UInt8(frame.count & 0xFF)] + frame
                    }
                    try await session.send(bytes, framed: false)
                    for _ in 0..<100 where try await session.receive() != nil { answered += 1 }
                }
                return answered
            }
            #expect(answered == 2_000)
            try await tenant.app.screening.flush()
            #expect(
                try await RawRows.count(of: "screening_declines", in: db) == 51,
                "2,000 declines from the network are 50 rows and one that counts the rest")
        }
    }
}
