import Crypto
import Foundation
import Testing

@testable import PosGuardServices

@Suite("Low-s signatures")
struct LowSignatureTests {
    /// The signature part of the headers `AgentSigner` makes for `body`.
    static func signature(_ signer: AgentSigner, body: String) -> Data {
        let headers = signer.headers(
            terminal: UUID(), method: "POST", path: "/agent/v1/events", body: Array(body.utf8),
            at: Date(timeIntervalSince1970: 1_800_000_000))
        return Data(base64Encoded: headers[2].value)!
    }

    @Test func ourSignerOnlyEverSignsWithALowS() {
        // ECDSA nonces are random, so half of raw signatures come out high: 64 low ones in a row by chance
        // would happen once in 2^64 runs.
        let signer = AgentSigner()
        let signatures = (0..<64).map { Self.signature(signer, body: "batch \($0)") }
        #expect(signatures.allSatisfy(LowS.isLow))
    }

    @Test func theHighTwinOfASignatureVerifiesTooAndNormalisesBack() throws {
        let key = P256.Signing.PrivateKey()
        let message = Data("POST\n/agent/v1/events\n1800000000\n{}".utf8)
        let low = LowS.normalised(try key.signature(for: message).rawRepresentation)
        let high = LowS.twin(of: low)
        #expect(LowS.isLow(low) && !LowS.isLow(high) && high.prefix(32) == low.prefix(32))
        // Both verify: this is the malleability the protocol closes by accepting only the low one.
        for raw in [low, high] {
            let signature = try P256.Signing.ECDSASignature(rawRepresentation: raw)
            #expect(key.publicKey.isValidSignature(signature, for: message))
        }
        #expect(LowS.normalised(high) == low)
    }

    @Test func theBoundaryHalfOfTheOrderIsStillLow() {
        let r = Data(repeating: 1, count: 32)
        #expect(LowS.isLow(r + LowS.halfOrder))
        var above = LowS.halfOrder
        above[31] += 1
        #expect(!LowS.isLow(r + above))
    }
}
