import Foundation
import PosGuardDomain
import Testing

@Suite("Ids as text")
struct UUIDTextTests {
    @Test func writtenAndReadAsFoundationDoes() {
        for _ in 0..<1000 {
            let id = UUID()
            #expect(id.key == id.uuidString.lowercased())
            #expect(UUID(text: id.key) == id)
            #expect(UUID(text: id.uuidString) == id, "upper case")
        }
        let zero = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        #expect(zero.key == "00000000-0000-0000-0000-000000000000")
        #expect(UUID(text: "ffffffff-ffff-ffff-ffff-ffffffffffff")?.key == "ffffffff-ffff-ffff-ffff-ffffffffffff")
    }

    @Test func anythingElseIsNoId() {
        let good = "6f1c2b9e-6a0b-4c1e-9d7e-2f4b8a1c3d5e"
        for bad in [
            "", "6f1c2b9e", good + "0", String(good.dropLast()), good.replacingOccurrences(of: "-", with: ""),
            "6f1c2b9e-6a0b-4c1e-9d7e_2f4b8a1c3d5e", "6f1c2b9e-6a0b-4c1e-9d7e-2f4b8a1c3d5g",
            "6f1c2b9e6-a0b-4c1e-9d7e-2f4b8a1c3d5e", "{6f1c2b9e-6a0b-4c1e-9d7e-2f4b8a1c3d5e}", " " + good,
            "6f1c2b9e-6a0b-4c1e-9d7e-2f4b8a1c3d5é", "--------------------------------------------",
        ] {
            #expect(UUID(text: bad) == nil, "\(bad)")
            #expect(UUID(uuidString: bad) == nil, "Foundation agrees on \(bad)")
        }
    }
}
