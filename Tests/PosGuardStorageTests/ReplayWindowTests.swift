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

    @Test func aRequestForgottenMayBeSentAgain() {
        // A request handed to another instance changed nothing here; its agent sends the very same again.
        var window = ReplayWindow()
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let (key, other) = (ReplayKey(high: 1, low: 2), ReplayKey(high: 1, low: 3))
        let first = [window.insert(key, at: now), window.insert(other, at: now)]
        window.remove(key)
        let again = [
            window.insert(key, at: now.addingTimeInterval(1)), window.insert(other, at: now.addingTimeInterval(1)),
        ]
        #expect(first == [true, true])
        #expect(again == [true, false], "only the request forgotten is accepted again")
    }

    @Test func aRequestIsKnownByItsTerminalAndWhatItSigned() {
        // Terminals a byte apart, at the end of the id.
        let one = UUID(uuidString: "00000000-0000-0000-0000-000000000001")!
        let two = UUID(uuidString: "00000000-0000-0000-0000-000000000002")!
        let empty = SHA256.hash(data: Data())
        // Computed apart (Python's hashlib): the first 16 bytes of SHA-256(terminal's 16 bytes ‖ digest's 32),
        // read as two little-endian words, so that a byte left out of either would show.
        #expect(
            AgentVerifier.replayKey(terminal: one, digest: empty)
                == ReplayKey(high: 7_897_767_829_033_905_310, low: 9_137_811_016_815_641_470))
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
