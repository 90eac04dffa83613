import Crypto

/// The Merkle tree of RFC 6962 §2.1 (as in Certificate Transparency, Go's checksum database and Sigstore), over
/// which the audit log is published: a leaf hashes as SHA-256(0x00 ‖ entry), an inner node as
/// SHA-256(0x01 ‖ left ‖ right), and a tree of n leaves splits at the largest power of two below n. Anyone
/// holding a root can check an entry against it (an audit path) and that a later root only appended to it (a
/// consistency proof), with any RFC 6962 implementation.
public enum MerkleTree {
    /// The root of the empty tree: SHA-256 of nothing.
    public static let emptyRoot = TreeHash(SHA256.hash(data: [UInt8]()))

    public static func leafHash(_ entry: [UInt8]) -> TreeHash {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: entry)
        return TreeHash(hasher.finalize())
    }

    public static func nodeHash(_ left: TreeHash, _ right: TreeHash) -> TreeHash {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left.bytes)
        hasher.update(data: right.bytes)
        return TreeHash(hasher.finalize())
    }

    /// MTH(D[n]): the root of the tree over these leaf hashes.
    public static func root(_ leaves: ArraySlice<TreeHash>) -> TreeHash {
        switch leaves.count {
        case 0: return emptyRoot
        case 1: return leaves[leaves.startIndex]
        default:
            let split = leaves.startIndex + largestPowerOfTwo(below: leaves.count)
            return nodeHash(root(leaves[..<split]), root(leaves[split...]))
        }
    }

    /// PATH(m, D[n]): the audit path of leaf `index`, the sibling hashes from the leaf up to the root.
    public static func auditPath(of index: Int, in leaves: ArraySlice<TreeHash>) -> [TreeHash] {
        precondition(index >= 0 && index < leaves.count, "the leaf is in the tree")
        guard leaves.count > 1 else { return [] }
        let k = largestPowerOfTwo(below: leaves.count)
        let split = leaves.startIndex + k
        if index < k { return auditPath(of: index, in: leaves[..<split]) + [root(leaves[split...])] }
        return auditPath(of: index - k, in: leaves[split...]) + [root(leaves[..<split])]
    }

    /// PROOF(m, D[n]): the consistency proof that the tree of the first `size` leaves is a prefix of this one.
    public static func consistencyProof(from size: Int, in leaves: ArraySlice<TreeHash>) -> [TreeHash] {
        precondition(size >= 0 && size <= leaves.count, "the older tree is not larger")
        guard size > 0 && size < leaves.count else { return [] }
        return subproof(size, leaves, complete: true)
    }

    /// SUBPROOF(m, D[n], b) of RFC 6962 §2.1.2.
    private static func subproof(_ m: Int, _ leaves: ArraySlice<TreeHash>, complete: Bool) -> [TreeHash] {
        let n = leaves.count
        if m == n { return complete ? [] : [root(leaves)] }
        let k = largestPowerOfTwo(below: n)
        let split = leaves.startIndex + k
        if m <= k { return subproof(m, leaves[..<split], complete: complete) + [root(leaves[split...])] }
        return subproof(m - k, leaves[split...], complete: false) + [root(leaves[..<split])]
    }

    /// The largest power of two strictly below `n` (n > 1).
    static func largestPowerOfTwo(below n: Int) -> Int { 1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount) }
}
