public struct QRCode: Sendable {
    public init(_ text: String) throws {}
    public func svg(moduleSize: Int = 4, quietZone: Int = 4, title: String) -> String { "" }
}
