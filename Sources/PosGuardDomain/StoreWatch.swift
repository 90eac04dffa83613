import Foundation

/// What detection remembers about one store between events: the approved refunds its terminals made in
/// the last 24 hours. A limit counted per terminal is dodged by an insider who spreads refunds over two
/// terminals of the same counter; counted here, the store's limit holds whichever terminal is used.
/// Saved with each batch that changes it, so a restart resumes where it left off.
public struct StoreWatch: Sendable, Equatable, Codable {
    public var refunds: [Refund] = []

    /// At most this many refunds are remembered (the oldest are forgotten first): far more than any store
    /// makes in a day without having crossed its limit long before.
    public static let capacity = 1000

    public struct Refund: Sendable, Equatable, Codable {
        public var terminalID: UUID
        public var seq: Int64
        public var at: Date
        public var amountMinor: Int64

        public init(terminalID: UUID, seq: Int64, at: Date, amountMinor: Int64) {
            self.terminalID = terminalID
            self.seq = seq
            self.at = at
            self.amountMinor = amountMinor
        }
    }

    public init() {}
}
