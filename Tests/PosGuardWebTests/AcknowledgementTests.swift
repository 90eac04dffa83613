import Foundation
import PosGuardDomain
import PosGuardServices
import Testing

@testable import PosGuardWeb

@Suite("A batch's acknowledgement")
struct AcknowledgementTests {
    @Test func writtenDirectlyItIsWhatTheAPIEncoderWrites() throws {
        for seq: Int64 in [0, 7, 9_007_199_254_740_993] {
            let plain = AgentRoutes.Acknowledgement(ackedSeq: seq, missing: [], commands: [], refused: [])
            #expect(try plain.json() == Array(try APIJSON.encoder.encode(plain)))
        }
        let gaps = AgentRoutes.Acknowledgement(ackedSeq: 3, missing: [[5, 6]], commands: [], refused: [])
        #expect(String(decoding: try gaps.json(), as: UTF8.self).contains(#""missing":[[5,6]]"#))
    }
}
