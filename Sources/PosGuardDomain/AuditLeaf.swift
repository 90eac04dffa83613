/// An audit entry as a leaf of the audit log's Merkle tree: the exact bytes hashed, made from the entry as stored
/// (the time in milliseconds), so a check recomputes them from the row alone; ids are written as the API writes
/// them (upper case), so the id an auditor was given is found in the bytes as it is. The form is one line of JSON
/// with its keys sorted and no spaces:
/// `{"action":…,"actor":…,"actor_id":…,"after":…,"at_ms":…,"before":…,"id":…,"provider_id":…,"reason":…,
/// "source":…,"target_id":…,"target_type":…,"v":1}` — `before` and `after` are the stored JSON snapshots as
/// strings, a missing value is `null`. `v` names this form, so a later one can be told apart.
public struct AuditLeaf: Sendable, Equatable {
    public var id: String
    public var atMillis: Int64
    public var providerID: String?
    public var actorID: String?
    public var actor: String
    public var action: String
    public var targetType: String
    public var targetID: String?
    public var before: String?
    public var after: String?
    public var reason: String?
    public var source: String?

    public init(
        id: String, atMillis: Int64, providerID: String?, actorID: String?, actor: String, action: String,
        targetType: String, targetID: String?, before: String?, after: String?, reason: String?, source: String?
    ) {
        self.id = id
        self.atMillis = atMillis
        self.providerID = providerID
        self.actorID = actorID
        self.actor = actor
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.before = before
        self.after = after
        self.reason = reason
        self.source = source
    }

    public var bytes: [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(
            200 + id.utf8.count + actor.utf8.count + action.utf8.count + (before?.utf8.count ?? 0)
                + (after?.utf8.count ?? 0) + (reason?.utf8.count ?? 0) + (source?.utf8.count ?? 0))
        out.append(UInt8(ascii: "{"))
        Self.field("action", action, into: &out)
        Self.field("actor", actor, into: &out)
        Self.field("actor_id", actorID, upper: true, into: &out)
        Self.field("after", after, into: &out)
        Self.key("at_ms", into: &out)
        Self.decimal(atMillis, into: &out)
        Self.field("before", before, into: &out)
        Self.field("id", id, upper: true, into: &out)
        Self.field("provider_id", providerID, upper: true, into: &out)
        Self.field("reason", reason, into: &out)
        Self.field("source", source, into: &out)
        Self.field("target_id", targetID, upper: true, into: &out)
        Self.field("target_type", targetType, into: &out)
        Self.key("v", into: &out)
        out.append(UInt8(ascii: "1"))
        out.append(UInt8(ascii: "}"))
        return out
    }

    public var hash: TreeHash { MerkleTree.leafHash(bytes) }

    private static func key(_ name: StaticString, into out: inout [UInt8]) {
        if out.count > 1 { out.append(UInt8(ascii: ",")) }
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        out.append(UInt8(ascii: "\""))
        out.append(UInt8(ascii: ":"))
    }

    private static func decimal(_ value: Int64, into out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var digits = [UInt8]()
        var rest = value.magnitude
        repeat {
            digits.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        out.append(contentsOf: digits.reversed())
    }

    /// A JSON string, escaped; `upper` writes ASCII letters in upper case (ids, as the API writes them).
    private static func field(_ name: StaticString, _ value: String?, upper: Bool = false, into out: inout [UInt8]) {
        key(name, into: &out)
        guard let value else {
            out.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
            return
        }
        out.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case UInt8(ascii: "\n"):
                out.append(UInt8(ascii: "\\"))
                out.append(UInt8(ascii: "n"))
            case ..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xf)])
            case UInt8(ascii: "a")...UInt8(ascii: "z") where upper:
                out.append(byte - 0x20)
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
