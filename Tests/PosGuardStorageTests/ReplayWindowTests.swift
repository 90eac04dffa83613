import Foundation
import Testing

@testable import PosGuardServices

@Suite("Replay window")
struct ReplayWindowTests {
    @Test func aSignatureIsRememberedForTheWholeValidityOfItsTimestamp() {
        var window = ReplayWindow()
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let signature = Data([1, 2, 3])
        #expect(window.insert(signature, at: start))
        #expect(!window.insert(signature, at: start.addingTimeInterval(1)))
        // Across one rotation it is still known.
        #expect(window.insert(Data([9]), at: start.addingTimeInterval(ReplayWindow.span)))
        #expect(!window.insert(signature, at: start.addingTimeInterval(ReplayWindow.span + 1)))
        // Two rotations later its timestamp is long invalid, and it may be forgotten.
        #expect(window.insert(Data([8]), at: start.addingTimeInterval(2 * ReplayWindow.span)))
        #expect(window.insert(signature, at: start.addingTimeInterval(2 * ReplayWindow.span + 1)))
    }
}
