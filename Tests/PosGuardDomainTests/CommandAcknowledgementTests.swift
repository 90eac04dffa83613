import Foundation
import PosGuardDomain
import Testing

@Suite("Command acknowledgement")
struct CommandAcknowledgementTests {
    let now = Date(timeIntervalSince1970: 1_795_424_400)

    func command(_ kind: TerminalCommand.Kind, _ status: TerminalCommand.Status) -> TerminalCommand {
        TerminalCommand(
            id: UUID(), terminalID: UUID(), type: kind, payload: [:], status: status, createdAt: now,
            createdBy: "admin@shop.example", reason: "")
    }

    @Test func theFirstAnswerClosesTheCommand() throws {
        for status in [TerminalCommand.Status.queued, .delivered] {
            let done = try #require(try command(.lock, status).acknowledged(.done, detail: "locked", at: now))
            #expect(done.status == .done && done.acknowledgedAt == now && done.detail == "locked")
            let failed = try #require(try command(.lock, status).acknowledged(.failed, detail: nil, at: now))
            #expect(failed.status == .failed && failed.detail == nil)
        }
        let long = try command(.reboot, .delivered).acknowledged(
            .done, detail: String(repeating: "x", count: 1500), at: now)
        #expect(long?.detail?.count == TerminalCommand.detailLimit)
    }

    @Test func theSameAnswerAgainChangesNothingAndAContradictionIsRefused() throws {
        #expect(try command(.lock, .done).acknowledged(.done, detail: "again", at: now) == nil)
        #expect(try command(.lock, .failed).acknowledged(.failed, detail: nil, at: now) == nil)
        #expect(throws: TerminalCommand.Contradiction(status: .done)) {
            try command(.lock, .done).acknowledged(.failed, detail: nil, at: now)
        }
        #expect(throws: TerminalCommand.Contradiction(status: .expired)) {
            try command(.lock, .expired).acknowledged(.done, detail: nil, at: now)
        }
        #expect(TerminalCommand.Contradiction(status: .failed).message == "the command is already failed")
    }

    @Test func theRegistryFollowsADoneLockOrUnlock() {
        let reason = "lock acknowledged by the terminal"
        for state in TerminalState.allCases {
            let lock = command(.lock, .done).followUp(from: state)
            #expect(lock?.state == ([.active, .maintenance].contains(state) ? .locked : nil), "lock from \(state)")
            if lock != nil { #expect(lock?.reason == reason) }
            let unlock = command(.unlock, .done).followUp(from: state)
            #expect(unlock?.state == (state == .locked ? .active : nil), "unlock from \(state)")
            #expect(command(.lock, .failed).followUp(from: state) == nil)
            #expect(command(.unlock, .failed).followUp(from: state) == nil)
            #expect(command(.reboot, .done).followUp(from: state) == nil)
        }
    }
}
