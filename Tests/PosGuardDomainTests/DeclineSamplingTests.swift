import Foundation
import PosGuardDomain
import Testing

@Suite("Decline sampling")
struct DeclineSamplingTests {
    let minute = Date(timeIntervalSince1970: 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: 60))

    @Test func aTerminalsDeclinesPastTheFirstFewOfAMinuteAreCountedIntoOneRow() {
        var sampling = DeclineSampling(perKey: 3, unknownTIDs: 50)
        let terminal = UUID()
        let verdicts = (0..<6).map { i in
            sampling.admit(terminal: terminal, tid: "T1", reasons: [.stolen], at: minute + Double(i))
        }
        let key = DeclineSampling.Key(
            subject: terminal.uuidString, reasons: [.stolen], minute: Int64(minute.timeIntervalSince1970 / 60))
        #expect(verdicts == [.record, .record, .record, .recordAndCount(key), .count(key), .count(key)])
        // Another reason, and the next minute, start again.
        #expect(sampling.admit(terminal: terminal, tid: "T1", reasons: [.locked], at: minute + 7) == .record)
        #expect(sampling.admit(terminal: terminal, tid: "T1", reasons: [.stolen], at: minute + 60) == .record)
    }

    @Test func unknownTIDsShareOneBudgetSoRandomTIDsCannotMultiplyTheRows() {
        var sampling = DeclineSampling(perKey: 3, unknownTIDs: 5)
        var kept = 0
        var counters: Set<DeclineSampling.Key> = []
        for i in 0..<10_000 {
            switch sampling.admit(
                terminal: nil, tid: String(format: "%08X", i), reasons: [.unknownTerminal], at: minute + 1)
            {
            case .record: kept += 1
            case .recordAndCount(let key):
                kept += 1
                counters.insert(key)
            case .count(let key): #expect(counters.contains(key))
            }
        }
        #expect(kept == 6, "five one by one, and one row that counts the other 9,995")
        #expect(counters.map(\.subject) == ["tid:*"])
        // One unknown TID alone is still held to the per-key limit.
        var single = DeclineSampling(perKey: 3, unknownTIDs: 50)
        let verdicts = (0..<5).map { _ in
            single.admit(terminal: nil, tid: "DEADBEEF", reasons: [.unknownTerminal], at: minute)
        }
        #expect(verdicts.prefix(4).filter { $0 == .record }.count == 3)
        if case .recordAndCount(let key) = verdicts[3] { #expect(key.isOverflow) } else { Issue.record("\(verdicts)") }
    }
}
