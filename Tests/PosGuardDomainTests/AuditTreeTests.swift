import Crypto
import Foundation
import PosGuardDomain
import Testing

@Suite("Audit log tree: RFC 6962 hashes and proofs, C2SP checkpoints and signed notes")
struct AuditTreeTests {
    /// The leaves of Certificate Transparency's reference tests.
    static let leaves = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ]
    .map { MerkleTree.leafHash(bytes(hex: $0)) }

    static func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            out.append(UInt8(hex[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    static func hashes(_ hex: [String]) -> [TreeHash] { hex.map { TreeHash(hex: $0)! } }

    @Test func rootsMatchTheReferenceVectorsAtEverySizeAndTheFrontierAgrees() {
        let roots = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ]
        #expect(MerkleTree.emptyRoot.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        var frontier = MerkleFrontier()
        for (n, root) in roots.enumerated() {
            #expect(MerkleTree.root(Self.leaves[..<(n + 1)]).hex == root)
            frontier.append(Self.leaves[n])
            #expect(frontier.root.hex == root)
            #expect(MerkleFrontier(size: frontier.size, subtrees: frontier.subtrees) == frontier)
        }
        #expect(MerkleFrontier(size: 6, subtrees: [Self.leaves[0]]) == nil, "6 = 4 + 2 needs two subtrees")
    }

    @Test func auditPathsMatchTheReferenceVectors() {
        #expect(
            MerkleTree.auditPath(of: 0, in: Self.leaves[...])
                == Self.hashes([
                    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
                ]))
        #expect(
            MerkleTree.auditPath(of: 5, in: Self.leaves[...])
                == Self.hashes([
                    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                ]))
    }

    /// Every audit path and consistency proof of trees up to 40 leaves checks with RFC 9162's verification
    /// algorithms (§2.1.3.2, §2.1.4.2), written here apart from the code that makes them; a wrong root fails.
    @Test func everyProofChecksWithTheRFC9162Verifiers() {
        let leaves = (0..<40).map { MerkleTree.leafHash(Array("entry \($0)".utf8)) }
        for n in 1...leaves.count {
            let root = MerkleTree.root(leaves[..<n])
            for m in 0..<n {
                let path = MerkleTree.auditPath(of: m, in: leaves[..<n])
                #expect(Self.rootFromInclusion(leaves[m], index: m, size: n, path) == root, "leaf \(m) of \(n)")
            }
            for m in 1...n {
                let proof = MerkleTree.consistencyProof(from: m, in: leaves[..<n])
                let old = MerkleTree.root(leaves[..<m])
                #expect(Self.consistent(from: m, old, to: n, root, proof), "\(m) → \(n)")
                if m < n { #expect(!Self.consistent(from: m, leaves[0], to: n, root, proof) || m == 1) }
            }
        }
    }

    static func rootFromInclusion(_ leaf: TreeHash, index: Int, size: Int, _ path: [TreeHash]) -> TreeHash? {
        var fn = index
        var sn = size - 1
        var r = leaf
        for p in path {
            guard sn != 0 else { return nil }
            if fn & 1 == 1 || fn == sn {
                r = MerkleTree.nodeHash(p, r)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                r = MerkleTree.nodeHash(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 ? r : nil
    }

    static func consistent(from m: Int, _ oldRoot: TreeHash, to n: Int, _ newRoot: TreeHash, _ proof: [TreeHash])
        -> Bool
    {
        if m == n { return proof.isEmpty && oldRoot == newRoot }
        var path = proof
        if m & (m - 1) == 0 { path.insert(oldRoot, at: 0) }
        guard !path.isEmpty else { return false }
        var fn = m - 1
        var sn = n - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleTree.nodeHash(c, fr)
                sr = MerkleTree.nodeHash(c, sr)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = MerkleTree.nodeHash(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == oldRoot && sr == newRoot && sn == 0
    }

    /// Go's `golang.org/x/mod/sumdb/note` example: the same key and text give the same note byte for byte.
    @Test func notesMatchGosReferenceExample() throws {
        let seed = Array(Data(base64Encoded: "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")!.dropFirst())
        let signer = try NoteSigner(name: "PeterNeumann", seed: seed)
        let text =
            "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
        let note = try signer.sign(text)
        #expect(
            note == text + "\n\u{2014} PeterNeumann "
                + "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")
        #expect(signer.verifier.verifierKey == "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")
        let verifier = try #require(NoteVerifier(verifierKey: signer.verifier.verifierKey))
        #expect(verifier.open(note) == text)
        #expect(verifier.open(note.replacingOccurrences(of: "problem is", with: "problem was")) == nil)
        #expect(NoteVerifier(verifierKey: "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW") == nil)
    }

    /// The example of the C2SP signed-note specification opens under its verifier key.
    @Test func theSpecificationsExampleNoteOpens() throws {
        let verifier = try #require(
            NoteVerifier(verifierKey: "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"))
        let note =
            "This is an example message.\n\n\u{2014} example.com/foo "
            + "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
        #expect(verifier.open(note) == "This is an example message.\n")
    }

    @Test func checkpointsReadBackWhatTheyWrite() {
        let checkpoint = Checkpoint(origin: "posguard-audit/0123", size: 8, root: MerkleTree.root(Self.leaves[...]))
        #expect(checkpoint.text == "posguard-audit/0123\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n")
        #expect(Checkpoint(text: checkpoint.text) == checkpoint)
        #expect(Checkpoint(text: "posguard-audit/0123\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n") == nil)
    }

    @Test func anEntryIsOneLineOfSortedJSONHoldingItsID() throws {
        let leaf = AuditLeaf(
            id: "0190f5c2-0000-7000-8000-000000000001", atMillis: 1_700_000_000_123, providerID: nil, actorID: nil,
            actor: "cli", action: "provider.create", targetType: "provider", targetID: nil, before: nil,
            after: #"{"name":"A \"B\""}"#, reason: "line\nbreak\u{1}", source: nil)
        let text = String(decoding: leaf.bytes, as: UTF8.self)
        #expect(
            text
                == #"{"action":"provider.create","actor":"cli","actor_id":null,"after":"{\"name\":\"A \\\"B\\\"\"}","#
                + #""at_ms":1700000000123,"before":null,"id":"0190F5C2-0000-7000-8000-000000000001","#
                + #""provider_id":null,"reason":"line\nbreak\u0001","source":null,"target_id":null,"#
                + #""target_type":"provider","v":1}"#)
        let decoded = try JSONSerialization.jsonObject(with: Data(leaf.bytes)) as? [String: Any]
        #expect(decoded?["reason"] as? String == "line\nbreak\u{1}")
        #expect(leaf.hash == MerkleTree.leafHash(leaf.bytes))
        let withActor = AuditLeaf(
            id: "a", atMillis: -5, providerID: "9f0e-ab", actorID: "c0ffee-x", actor: "ü", action: "a",
            targetType: "t", targetID: "beef", before: "", after: nil, reason: nil, source: "::1")
        #expect(
            String(decoding: withActor.bytes, as: UTF8.self)
                == #"{"action":"a","actor":"ü","actor_id":"C0FFEE-X","after":null,"at_ms":-5,"before":"","id":"A","#
                + #""provider_id":"9F0E-AB","reason":null,"source":"::1","target_id":"BEEF","target_type":"t","v":1}"#)
    }

    /// The seal is HMAC-SHA256 of the place and the leaf hash, as any HMAC implementation computes it.
    @Test func theSealIsHMACSHA256OfThePlaceAndTheLeafHash() {
        let key = SymmetricKey(size: .bits256)
        let leaf = MerkleTree.leafHash(Array("entry".utf8))
        let expected = HMAC<SHA256>.authenticationCode(for: [0, 0, 0, 0, 0, 0, 1, 2] + leaf.bytes, using: key)
        #expect(
            AuditSeal(key: key).seal(index: 258, leaf: leaf)
                == Array(expected).map { String(format: "%02x", $0) }.joined())
        let seal = AuditSeal(key: key)
        #expect(seal.seal(index: 259, leaf: leaf) != seal.seal(index: 258, leaf: leaf))
        #expect(seal.seal(index: 258, leaf: leaf) == seal.seal(index: 258, leaf: leaf))
    }
}
