import Foundation
import Hummingbird
import PosGuardDomain
import PosGuardServices

/// The screening gateway over HTTP, for hosts that prefer JSON: `/api/v1/screen`, and the decline log.
struct ScreeningRoutes {
    let app: PosGuard

    struct Request: Decodable {
        var tid: String
        var mid: String
        var amountMinor: Int64
        var currency: String
        var pan: String?
        var at: Date?
    }

    struct Answer: Encodable {
        var decision: String
        var responseCode: String
        var reasons: [DeclineReason]
    }

    /// A decline in the log, as `GET /api/v1/screening/declines` lists it.
    struct DeclineView: Encodable {
        var id: UUID
        var providerID: UUID?
        var terminalID: UUID?
        var tid: String
        var mid: String
        var at: Date
        var amountMinor: Int64
        var currency: String
        var panMasked: String?
        var responseCode: String
        var reasons: [DeclineReason]
        var channel: String
        var suppressed: Int64

        init(_ d: ScreeningDecline) {
            (id, providerID, terminalID, tid, mid, at) = (d.id, d.providerID, d.terminalID, d.tid, d.mid, d.at)
            (amountMinor, currency, panMasked, responseCode) = (d.amountMinor, d.currency, d.panMasked, d.responseCode)
            (reasons, channel, suppressed) = (d.reasons, d.channel, d.suppressed)
        }
    }

    /// Checks a screening request and screens it in the caller's scope: the API and the console's try-it form.
    static func screen(_ body: Request, by caller: Caller, channel: String, on app: PosGuard) throws
        -> ScreeningDecision
    {
        try caller.authorize(.screenPayments, at: app.runtime.now())
        var v = Validator()
        v.text(body.tid, "tid", max: 8)
        v.text(body.mid, "mid", max: 15)
        v.check(body.amountMinor >= 0, "amount_minor", "must not be negative")
        v.check(
            ISOCode.isCurrency(body.currency), "currency", "must be an ISO 4217 code: three capital letters")
        v.check(body.pan.map { MaskedPAN.mask($0) != nil } ?? true, "pan", "must be 12 to 19 digits")
        try v.finish()
        return app.screening.screen(
            ScreeningRequest(
                tid: body.tid, mid: body.mid, amountMinor: body.amountMinor, currency: body.currency,
                at: body.at ?? app.runtime.now()),
            pan: body.pan, channel: channel, scope: caller.scope)
    }

    func add(to api: RouterGroup<AppRequestContext>) {
        api.post("screen") { request, context in
            var request = request
            let caller = try context.requireCaller()
            try caller.authorize(.screenPayments, at: app.runtime.now())
            let body = try await request.decodeJSON(Request.self, cardFields: ["pan"])
            let decision = try Self.screen(body, by: caller, channel: "http", on: app)
            return JSONResponse(
                Answer(
                    decision: decision.approve ? "approve" : "decline", responseCode: decision.responseCode,
                    reasons: decision.reasons))
        }
        api.get("screening/declines") { request, context in
            let query = ListingQuery(request)
            let page = try await app.screening.declines(
                terminal: try query.uuid("terminal_id"), after: try query.cursor, limit: try query.limit,
                by: try context.requireCaller())
            return JSONResponse(Listing(Page(items: page.items.map(DeclineView.init), next: page.next)))
        }
    }
}
