/// The right edge of a Merkle tree (RFC 6962) being grown one leaf at a time: the roots of its largest complete
/// subtrees, left to right, one for each bit set in its size. Enough to append and to give the root at any size
/// without holding the leaves, so a log of millions of entries is checked in one pass and a checkpoint extends
/// the last one by the new leaves only.
public struct MerkleFrontier: Sendable, Equatable {
    public private(set) var size: Int
    public private(set) var subtrees: [TreeHash]

    public init() {
        size = 0
        subtrees = []
    }

    /// A frontier as stored, or nil when the hashes cannot be the right edge of a tree of that size.
    public init?(size: Int, subtrees: [TreeHash]) {
        guard size >= 0, subtrees.count == size.nonzeroBitCount else { return nil }
        self.size = size
        self.subtrees = subtrees
    }

    public mutating func append(_ leaf: TreeHash) {
        var hash = leaf
        var carry = size
        while carry & 1 == 1 {
            hash = MerkleTree.nodeHash(subtrees.removeLast(), hash)
            carry >>= 1
        }
        subtrees.append(hash)
        size += 1
    }

    /// MTH of the leaves appended so far.
    public var root: TreeHash {
        guard var hash = subtrees.last else { return MerkleTree.emptyRoot }
        for left in subtrees.dropLast().reversed() { hash = MerkleTree.nodeHash(left, hash) }
        return hash
    }
}
