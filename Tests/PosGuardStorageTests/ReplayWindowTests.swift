import Crypto
import Foundation
import Testing

@testable import PosGuardServices

@Suite("Replay window")
struct ReplayWindowTests {
    @Test func aSignatureIsRememberedForTheWholeValidityOfItsTimestamp() {
        var window = ReplayWindow()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let signature = ReplayKey(high: 1, low: 2)
        let span = ReplayWindow.span
        var accepted: [Bool] = []
        accepted.append(window.insert(signature, at: start))
        accepted.append(window.insert(signature, at: start.addingTimeInterval(1)))
        // Across one rotation it is still known.
        accepted.append(window.insert(ReplayKey(high: 9, low: 0), at: start.addingTimeInterval(span)))
        accepted.append(window.insert(signature, at: start.addingTimeInterval(span + 1)))
        // Two rotations later its timestamp is long invalid, and it may be forgotten.
        accepted.append(window.insert(ReplayKey(high: 8, low: 0), at: start.addingTimeInterval(2 * span)))
        accepted.append(window.insert(signature, at: start.addingTimeInterval(2 * span + 1)))
        #expect(accepted == [true, false, true, false, true, true])
    }

    @Test func aRequestIsKnownByItsTerminalAndWhatItSigned() {
        let (one, two) = (UUID(), UUID())
        let signed = SHA256.hash(data: Data("POST\n/agent/v1/events\n1800000000\n[]".utf8))
        let other = SHA256.hash(data: Data("POST\n/agent/v1/events\n1800000001\n[]".utf8))
        #expect(
            AgentVerifier.replayKey(terminal: one, digest: signed)
                == AgentVerifier.replayKey(terminal: one, digest: signed))
        // The same bytes from another terminal are another request, and so are other bytes from the same one.
        #expect(
            AgentVerifier.replayKey(terminal: one, digest: signed)
                != AgentVerifier.replayKey(terminal: two, digest: signed))
        #expect(
            AgentVerifier.replayKey(terminal: one, digest: signed)
                != AgentVerifier.replayKey(terminal: one, digest: other))
    }
}
