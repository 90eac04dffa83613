import Foundation

/// Detection's memory divided among the instances that share one database: a fixed number of slots, each a
/// set of stores, each owned by one live instance at a time. Partitioned by store, not by terminal, because
/// the refund rules remember a whole store (a colleague's terminal at the same counter counts too): every
/// terminal of a store is judged by the instance that holds the store's memory.
public enum Slots {
    public static let count = 64

    /// The slot of a store: FNV-1a over its id's bytes (time-ordered ids share their first bytes, so the hash
    /// takes all of them).
    public static func slot(of store: UUID) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        withUnsafeBytes(of: store.uuid) { bytes in
            for byte in bytes {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
        }
        return Int(hash % UInt64(count))
    }

    /// How many slots each of `instances` live instances should hold: all of them among themselves, none
    /// left over.
    public static func fairShare(instances: Int) -> Int {
        let n = max(instances, 1)
        return (count + n - 1) / n
    }
}
