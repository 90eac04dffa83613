/// The text of a checkpoint of a transparency log, as C2SP `tlog-checkpoint` (https://c2sp.org/tlog-checkpoint)
/// defines it: the log's origin, the number of entries, and the base64 of the RFC 6962 root over them, one a line.
/// Signed as a note (`NoteSigner`) whose key name is the origin, it commits the log to exactly those entries.
public struct Checkpoint: Sendable, Equatable {
    public var origin: String
    public var size: Int
    public var root: TreeHash

    public init(origin: String, size: Int, root: TreeHash) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    /// Reads a checkpoint's text (a signed note's text, once its signature has been checked).
    public init?(text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard text.hasSuffix("\n"), lines.count >= 4, !lines[0].isEmpty, let size = Int(lines[1]), size >= 0,
            String(size) == lines[1], let root = TreeHash(base64: String(lines[2]))
        else { return nil }
        self.init(origin: String(lines[0]), size: size, root: root)
    }

    public var text: String { "\(origin)\n\(size)\n\(root.base64)\n" }
}
