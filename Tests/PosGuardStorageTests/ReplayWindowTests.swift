import Foundation
import Testing

@testable import PosGuardServices

@Suite("Replay window")
struct ReplayWindowTests {
    @Test func aSignatureIsRememberedForTheWholeValidityOfItsTimestamp() {
        var window = ReplayWindow()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let signature = Data([1, 2, 3])
        let span = ReplayWindow.span
        var accepted: [Bool] = []
        accepted.append(window.insert(signature, at: start))
        accepted.append(window.insert(signature, at: start.addingTimeInterval(1)))
        // Across one rotation it is still known.
        accepted.append(window.insert(Data([9]), at: start.addingTimeInterval(span)))
        accepted.append(window.insert(signature, at: start.addingTimeInterval(span + 1)))
        // Two rotations later its timestamp is long invalid, and it may be forgotten.
        accepted.append(window.insert(Data([8]), at: start.addingTimeInterval(2 * span)))
        accepted.append(window.insert(signature, at: start.addingTimeInterval(2 * span + 1)))
        #expect(accepted == [true, false, true, false, true, true])
    }
}
