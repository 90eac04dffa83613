import Foundation
import PosGuardStorage
import Testing

@Suite("Seal of a request sent on between instances")
struct ForwardingSealTests {
    @Test func onlyAnInstanceWithTheSameMasterKeySealsTheSameStatement() {
        let box = SecretBox.random()
        let statement = "instance-a\n203.0.113.9\nsignature"
        let seal = box.forwardingSeal(statement)
        #expect(box.isForwardingSeal(seal, of: statement))
        #expect(!box.isForwardingSeal(seal, of: "instance-a\n198.51.100.7\nsignature"), "another address")
        #expect(!box.isForwardingSeal(seal, of: "instance-a\n203.0.113.9\nanother"), "another request")
        #expect(!SecretBox.random().isForwardingSeal(seal, of: statement), "another master key")
        #expect(!box.isForwardingSeal("not base64!", of: statement))
        #expect(!box.isForwardingSeal("", of: statement))
    }
}
