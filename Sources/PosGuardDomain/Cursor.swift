import Foundation

/// An opaque position in a listing: the key of the last item the client has seen. Pages continue after it,
/// so a listing stays stable and fast however deep the client goes.
public struct Cursor: Sendable, Equatable {
    public var afterID: UUID

    public init(afterID: UUID) { self.afterID = afterID }

    public var token: String {
        Data(afterID.uuidString.lowercased().utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Reads a token this server issued, and only that: the same position spelled another way (padding,
    /// capitals in the id) is refused, so the API documents the exact set of cursors it takes.
    public init?(token: String) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
            let id = UUID(uuidString: text), Cursor(afterID: id).token == token
        else { return nil }
        afterID = id
    }
}

/// One page of a listing and where the next one starts.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: Cursor?

    public init(items: [Item], next: Cursor?) {
        self.items = items
        self.next = next
    }
}
