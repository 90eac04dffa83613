import Foundation
import PosGuardDomain
import Testing

@Suite("Event numbering")
struct EventLedgerTests {
    let now = Date(timeIntervalSince1970: 1_795_428_000)
    let tenMinutes: TimeInterval = 600

    /// Settles accepted events numbered `seqs` at `now` (plus `after` seconds).
    func settle(_ ledger: inout EventLedger, _ items: [EventLedger.Item], after: TimeInterval = 0)
        -> EventLedger.Settlement
    {
        ledger.settle(items, at: now.addingTimeInterval(after), giveUpAfter: tenMinutes)
    }

    func accepted(_ seqs: ClosedRange<Int64>) -> [EventLedger.Item] { seqs.map { .accepted(seq: $0) } }

    func missing(_ ledger: EventLedger) -> [[Int64]] { ledger.missing.map { [$0.from, $0.to] } }

    @Test func aRefusedEventFarAheadNeitherMovesTheAcknowledgementNorHidesLaterEvents() {
        var ledger = EventLedger()
        #expect(settle(&ledger, [.accepted(seq: 1)]).fresh == [0])
        #expect(ledger.acked == 1)
        let jump = settle(&ledger, [.refused(seq: 5_000_000_000)])
        #expect(jump.outOfReach == [0] && jump.fresh.isEmpty)
        #expect(ledger.acked == 1 && ledger.missing.isEmpty && ledger.highest == 1, "not counted")
        let tamper = settle(&ledger, [.accepted(seq: 2)])
        #expect(tamper.fresh == [0], "stored and judged")
        #expect(ledger.acked == 2)
    }

    @Test func theAcknowledgementStopsBelowAHoleUntilItIsFilled() {
        var ledger = EventLedger()
        _ = settle(&ledger, accepted(1...2))
        let later = settle(&ledger, accepted(5...6))
        #expect(later.fresh == [0, 1], "events beyond the hole are stored")
        #expect(ledger.acked == 2 && missing(ledger) == [[3, 4]])
        let resent = settle(&ledger, accepted(3...6), after: 60)
        #expect(resent.fresh == [0, 1], "only the missing ones are new; 5 and 6 are not doubled")
        #expect(ledger.acked == 6 && ledger.missing.isEmpty && resent.lost.isEmpty)
    }

    @Test func aPartlyResentHoleKeepsWhatIsStillMissing() {
        var ledger = EventLedger()
        _ = settle(&ledger, [.accepted(seq: 1), .accepted(seq: 10)])
        #expect(missing(ledger) == [[2, 9]])
        _ = settle(&ledger, [.accepted(seq: 2), .accepted(seq: 5)])
        #expect(ledger.acked == 2 && missing(ledger) == [[3, 4], [6, 9]])
    }

    @Test func aDeclaredGapSettlesTheHoleAndIsALoss() {
        var ledger = EventLedger()
        _ = settle(&ledger, accepted(1...2) + accepted(5...6))
        let declared = settle(&ledger, [.accepted(seq: 7, declaresLost: 3...4)])
        #expect(declared.fresh == [0], "the declaration itself is stored")
        #expect(declared.lost == [EventLedger.Loss(from: 3, to: 4, cause: .declared(by: 7))])
        #expect(ledger.acked == 7 && ledger.missing.isEmpty)
        let again = settle(&ledger, [.accepted(seq: 7, declaresLost: 3...4)])
        #expect(again.fresh.isEmpty && again.lost.isEmpty, "a resent declaration counts once")
    }

    @Test func aDeclarationOnlyGivesUpWhatIsStillMissing() {
        var ledger = EventLedger()
        _ = settle(&ledger, [.accepted(seq: 1), .accepted(seq: 4), .accepted(seq: 8)])
        #expect(missing(ledger) == [[2, 3], [5, 7]])
        let declared = settle(&ledger, [.accepted(seq: 9, declaresLost: 3...6)])
        #expect(declared.lost.map { [$0.from, $0.to] } == [[3, 3], [5, 6]])
        #expect(ledger.acked == 1 && missing(ledger) == [[2, 2], [7, 7]])
    }

    @Test func missingEventsThatNeverComeAreGivenUpAfterTheSetting() {
        var ledger = EventLedger()
        _ = settle(&ledger, [.accepted(seq: 1), .accepted(seq: 4)])
        #expect(settle(&ledger, [.accepted(seq: 5)], after: 599).lost.isEmpty)
        #expect(ledger.acked == 1)
        let late = settle(&ledger, [.accepted(seq: 6)], after: 600)
        #expect(late.lost == [EventLedger.Loss(from: 2, to: 3, cause: .overdue(since: now))])
        #expect(ledger.acked == 6)
        let tooLate = settle(&ledger, [.accepted(seq: 2)], after: 700)
        #expect(tooLate.fresh.isEmpty, "given up is settled: a straggler is ignored like a resent event")
    }

    @Test func aStragglerArrivingWithTheTimeoutFillsItsHoleFirst() {
        var ledger = EventLedger()
        _ = settle(&ledger, [.accepted(seq: 1), .accepted(seq: 3)])
        let batch = settle(&ledger, [.accepted(seq: 2), .accepted(seq: 4)], after: 900)
        #expect(batch.fresh == [0, 1] && batch.lost.isEmpty && ledger.acked == 4)
    }

    @Test func refusedEventsSettleTheirNumberUnlessItCannotBeRead() {
        var ledger = EventLedger()
        _ = settle(&ledger, accepted(1...3))
        let mixed = settle(&ledger, [.refused(seq: 7), .refused(seq: 8), .accepted(seq: 9), .refused(seq: nil)])
        #expect(mixed.fresh == [2])
        #expect(ledger.acked == 3 && missing(ledger) == [[4, 6]], "7 and 8 are settled by their refusal")
        _ = settle(&ledger, [.refused(seq: 4), .refused(seq: nil), .accepted(seq: 6)])
        #expect(missing(ledger) == [[5, 5]], "a refusal without a readable number settles nothing")
        _ = settle(&ledger, [.refused(seq: 0), .refused(seq: -3)])
        #expect(missing(ledger) == [[5, 5]])
    }

    @Test func resentAndRepeatedEventsAreNeverFreshTwice() {
        var ledger = EventLedger()
        let batch = settle(&ledger, [.accepted(seq: 2), .accepted(seq: 1), .accepted(seq: 2), .refused(seq: 1)])
        #expect(batch.fresh == [1, 0], "by number, the first copy of each")
        #expect(settle(&ledger, accepted(1...2)).fresh.isEmpty)
        #expect(ledger.acked == 2)
    }

    @Test func theReachIsCountedFromTheAcknowledgementAsTheBatchMovesIt() {
        var ledger = EventLedger()
        _ = settle(&ledger, [.accepted(seq: 1)])
        let edge = settle(&ledger, [.accepted(seq: 100_001), .accepted(seq: 100_002)])
        #expect(edge.fresh == [0] && edge.outOfReach == [1])
        #expect(ledger.acked == 1 && missing(ledger) == [[2, 100_000]])
        var running = EventLedger()
        let straight = settle(&running, accepted(1...3) + [.accepted(seq: 100_003)])
        #expect(straight.outOfReach.isEmpty && straight.fresh.count == 4)
    }

    @Test func tooManyHolesGiveUpTheLowest() {
        var ledger = EventLedger()
        let oddOnly = (0...EventLedger.maximumMissingRanges + 1).map {
            EventLedger.Item.accepted(seq: Int64(2 * $0 + 1))
        }
        let batch = settle(&ledger, oddOnly)
        #expect(ledger.missing.count == EventLedger.maximumMissingRanges)
        #expect(batch.lost == [EventLedger.Loss(from: 2, to: 2, cause: .crowded)])
        #expect(ledger.acked == 3)
    }

    @Test func aSavedWatchKeepsItsMissingNumbers() throws {
        var watch = TerminalWatch()
        watch.lastSeq = 6
        watch.missing = [MissingEvents(from: 3, to: 4, since: now)]
        let decoded = try JSONDecoder().decode(TerminalWatch.self, from: try JSONEncoder().encode(watch))
        #expect(decoded == watch && decoded.ledger.acked == 2)
        let older = #"{"lastSeq":9,"outsideStreak":[],"failedLogins":[],"refunds":[],"silence":"none"}"#
        let upgraded = try JSONDecoder().decode(TerminalWatch.self, from: Data(older.utf8))
        #expect(upgraded.ledger.acked == 9 && upgraded.missing.isEmpty, "a watch saved before has nothing missing")
        let away = #"{"lastSeq":9,"outsideStreak":[8,9],"failedLogins":[],"refunds":[],"silence":"none"}"#
        let stillAway = try JSONDecoder().decode(TerminalWatch.self, from: Data(away.utf8))
        #expect(stillAway.isOffPremises && stillAway.outsideStreak == [8, 9], "off its premises when it was saved")
    }
}
