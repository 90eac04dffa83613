import Foundation
import PosGuardDomain

/// The screening table: profiles by TID (one per provider using it), and each terminal's TID, so a change
/// replaces its terminals' rows without looking through the whole fleet.
struct ScreeningTable: Sendable {
    private var byTID: [String: [ScreeningProfile]] = [:]
    private var tidOf: [UUID: String] = [:]

    init(_ profiles: [ScreeningProfile] = []) { profiles.forEach { insert($0) } }

    subscript(tid: String) -> [ScreeningProfile] { byTID[tid] ?? [] }

    var count: Int { tidOf.count }

    /// Puts fresh profiles in place of their terminals' old ones (wherever their TID was).
    mutating func replace(_ fresh: [ScreeningProfile]) {
        for p in fresh {
            guard let tid = tidOf.removeValue(forKey: p.terminalID) else { continue }
            byTID[tid]?.removeAll { $0.terminalID == p.terminalID }
            if byTID[tid]?.isEmpty == true { byTID[tid] = nil }
        }
        fresh.forEach { insert($0) }
    }

    private mutating func insert(_ p: ScreeningProfile) {
        byTID[p.tid, default: []].append(p)
        tidOf[p.terminalID] = p.tid
    }
}
