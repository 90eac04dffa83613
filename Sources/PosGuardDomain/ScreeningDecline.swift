import Foundation

/// A payment the screening gateway declined, as the decline log keeps it.
public struct ScreeningDecline: Sendable, Equatable {
    public var id: UUID
    public var providerID: UUID?
    public var terminalID: UUID?
    public var tid: String
    public var mid: String
    public var at: Date
    public var amountMinor: Int64
    public var currency: String
    /// At most the first six and last four digits (`MaskedPAN`); nothing else of the card is kept.
    public var panMasked: String?
    public var responseCode: String
    public var reasons: [DeclineReason]
    /// `iso8583` or `http`.
    public var channel: String
    /// Further declines of the same terminal (or unknown TID) and reasons in the same minute that were only
    /// counted here, not written one by one (`DeclineSampling`).
    public var suppressed: Int64

    public init(
        id: UUID, providerID: UUID?, terminalID: UUID?, tid: String, mid: String, at: Date, amountMinor: Int64,
        currency: String, panMasked: String?, responseCode: String, reasons: [DeclineReason],
        channel: String, suppressed: Int64 = 0
    ) {
        self.id = id
        self.providerID = providerID
        self.terminalID = terminalID
        self.tid = tid
        self.mid = mid
        self.at = at
        self.amountMinor = amountMinor
        self.currency = currency
        self.panMasked = panMasked
        self.responseCode = responseCode
        self.reasons = reasons
        self.channel = channel
        self.suppressed = suppressed
    }
}
