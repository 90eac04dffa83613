import Foundation

/// What detection remembers about one store between events: the refunds its terminals made in the last 24
/// hours, with the operator who made each. A limit counted per terminal is dodged by an insider who spreads
/// refunds over two terminals of the same counter, or over colleagues' sign-ins; counted here, the store's
/// and each operator's limits hold whichever terminal is used. Saved with each batch that changes it, so a
/// restart resumes where it left off.
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
        public var approved: Bool
        /// Who made it, when known.
        public var operatorID: String?

        public init(
            terminalID: UUID, seq: Int64, at: Date, amountMinor: Int64, approved: Bool = true,
            operatorID: String? = nil
        ) {
            self.terminalID = terminalID
            self.seq = seq
            self.at = at
            self.amountMinor = amountMinor
            self.approved = approved
            self.operatorID = operatorID
        }

        /// Reads a saved refund; one saved when only approved refunds were kept, without operators, is approved.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            terminalID = try c.decode(UUID.self, forKey: .terminalID)
            seq = try c.decode(Int64.self, forKey: .seq)
            at = try c.decode(Date.self, forKey: .at)
            amountMinor = try c.decode(Int64.self, forKey: .amountMinor)
            approved = try c.decodeIfPresent(Bool.self, forKey: .approved) ?? true
            operatorID = try c.decodeIfPresent(String.self, forKey: .operatorID)
        }
    }

    public init() {}
}
