import Foundation
import Testing

@testable import PosGuardDomain

@Suite("Incident impact")
struct IncidentImpactTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let stolen = UUID()
    let other = UUID()

    func incident(discoveredHoursAgo: Double = 2) -> Incident {
        Incident(
            id: UUID(), providerID: UUID(), merchantID: UUID(), storeID: UUID(), type: .theft, terminalIDs: [stolen],
            alertID: nil, discoveredAt: now.addingTimeInterval(-discoveredHoursAgo * 3600), place: nil,
            reporter: "anna", description: "gone", openedAt: now, openedBy: "anna")
    }

    func sale(
        hoursAgo: Double, _ amount: Int64, approved: Bool = true, last4: String? = "1234",
        kind: AgentEvent.TransactionKind = .sale
    ) -> (terminalID: UUID, event: AgentEvent) {
        (
            stolen,
            AgentEvent(
                seq: 1, at: now.addingTimeInterval(-hoursAgo * 3600),
                body: .transaction(kind, amountMinor: amount, currency: "EUR", approved: approved, panLast4: last4))
        )
    }

    func move(_ terminal: UUID, _ from: TerminalState?, _ to: TerminalState, hoursAgo: Double) -> TerminalTransition {
        TerminalTransition(
            id: UUID(), terminalID: terminal, from: from, to: to, at: now.addingTimeInterval(-hoursAgo * 3600),
            actorID: nil, actor: "x", reason: "")
    }

    func decline(hoursAgo: Double, pan: String?) -> ScreeningDecline {
        ScreeningDecline(
            id: UUID(), providerID: nil, terminalID: stolen, tid: "T", mid: "M",
            at: now.addingTimeInterval(-hoursAgo * 3600), amountMinor: 5000, currency: "EUR", panMasked: pan,
            responseCode: "58", reasons: [.stolen], channel: "iso8583")
    }

    @Test func paymentsSinceTheLookBackCountAndOnlyApprovedSalesAndRefundsAreLost() {
        var i = incident()
        i.terminalValueMinor = 30_000
        let impact = IncidentImpact.compute(
            incident: i,
            events: [
                sale(hoursAgo: 30, 999),  // before the look-back (2 h + 24 h): not counted
                sale(hoursAgo: 20, 1000),
                sale(hoursAgo: 10, 2000, approved: false, last4: "9999"),
                sale(hoursAgo: 5, 300, kind: .refund),
                sale(hoursAgo: 4, 300, kind: .void),
                sale(hoursAgo: 1, 700, last4: nil),
            ],
            declines: [
                decline(hoursAgo: 0.5, pan: "411111******1111"), decline(hoursAgo: 40, pan: "400000******0002"),
            ],
            history: [], contacts: [.init(card: "****1234", email: "kim@example.com", name: "Kim")], until: now)
        #expect(impact.since == i.discoveredAt.addingTimeInterval(-24 * 3600))
        #expect(impact.payments.count == 6)
        #expect(impact.payments.map(\.result).last == "declined_by_screening")
        #expect(impact.estimatedLoss == [.init(currency: "EUR", amountMinor: 1000 + 300 + 700 + 30_000)])
        #expect(impact.customers.map(\.card) == ["****1234", "****9999", "411111******1111"])
        let kim = impact.customers[0]
        #expect(kim.payments == 3 && kim.email == "kim@example.com" && kim.name == "Kim")
        #expect(kim.approvedMinor == [.init(currency: "EUR", amountMinor: 1300)])
        #expect(impact.withoutContacts.customers.allSatisfy { $0.email == nil && $0.name == nil })
    }

    @Test func aLongerLookBackReachesFurther() {
        var i = incident()
        i.lookBackHours = 48
        let impact = IncidentImpact.compute(
            incident: i, events: [sale(hoursAgo: 30, 999)], declines: [], history: [], contacts: [], until: now)
        #expect(impact.estimatedLoss == [.init(currency: "EUR", amountMinor: 999)])
    }

    @Test func downtimeCountsOnlyWhileTheStoreHasNoActiveTerminal() {
        let history = [
            move(stolen, nil, .active, hoursAgo: 100), move(other, nil, .active, hoursAgo: 100),
            move(stolen, .active, .suspectedStolen, hoursAgo: 10),  // the store still has `other`
            move(other, .active, .locked, hoursAgo: 8),  // down from here
            move(other, .locked, .active, hoursAgo: 6),  // up again
            move(other, .active, .maintenance, hoursAgo: 3),  // down until now
        ]
        let d = IncidentImpact.downtime(
            of: [stolen], since: now.addingTimeInterval(-26 * 3600), history: history, until: now)
        #expect(d.seconds == 5 * 3600 && d.since == now.addingTimeInterval(-10 * 3600))
        let closed = IncidentImpact.downtime(
            of: [stolen], since: now.addingTimeInterval(-26 * 3600), history: history,
            until: now.addingTimeInterval(-2 * 3600))
        #expect(closed.seconds == 3 * 3600)
        // A terminal that left `active` before the look-back, and a store never down, count nothing.
        #expect(IncidentImpact.downtime(of: [stolen], since: now, history: history, until: now).seconds == 0)
        let lone = [move(stolen, nil, .active, hoursAgo: 50), move(stolen, .active, .stolen, hoursAgo: 4)]
        #expect(
            IncidentImpact.downtime(of: [stolen], since: now.addingTimeInterval(-26 * 3600), history: lone, until: now)
                .seconds == 4 * 3600)
    }

    @Test func maskedCardsNeverHoldAFullNumber() {
        for card in ["****1234", "411111******1111", "4111****1111"] { #expect(MaskedCard.isValid(card), "\(card)") }
        for card in ["4111111111111111", "1234", "41111111****1111", "****12345", "abcd****1234", "********"] {
            #expect(!MaskedCard.isValid(card), "\(card)")
        }
    }

    @Test func theReportEscapesEverythingItShows() {
        var i = incident()
        i.description = #"<script>alert("x")</script> & more"#
        let impact = IncidentImpact.compute(
            incident: i, events: [], declines: [], history: [], contacts: [], until: now)
        let html = IncidentReport(
            incident: i, storeName: "Tom's <b>", tasks: [], timeline: [], impact: impact, evidence: [], generatedAt: now
        ).html()
        #expect(!html.contains("<script>") && !html.contains("<b>"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more"))
        #expect(html.contains("Tom&#39;s &lt;b&gt;") && html.contains("@media print"))
    }

    @Test func csvRecordsQuoteAndDefuseFormulas() {
        #expect(CSV.record(["a", "b,c", #"say "hi""#]) == "a,\"b,c\",\"say \"\"hi\"\"\"\r\n")
        #expect(CSV.record(["=HYPERLINK(1)", "-2"]) == "'=HYPERLINK(1),'-2\r\n")
    }

    @Test func theCustomerNoticeIsBilingualAndShowsTheMaskedCardOnly() {
        let i = incident()
        let payment = IncidentImpact.Payment(
            at: now, terminalID: stolen, kind: "sale", amountMinor: 1205, currency: "EUR", card: "****1234",
            result: "approved")
        let customer = IncidentImpact.Customer(
            card: "****1234", payments: 1, approvedMinor: [], email: "kim@example.com", name: "Kim")
        let notice = CustomerNotice.compose(
            i, customer: customer, payments: [payment], storeName: "Kiez", timeZone: TimeZone(identifier: "UTC")!)
        #expect(notice.subject.contains("1234") && notice.body.contains("12.05 EUR"))
        #expect(notice.body.contains("Dear Kim") && notice.body.contains("尊敬的Kim") && notice.body.contains("银行卡"))
    }
}

@Suite("Recovery inspection")
struct TerminalInspectionTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func inspection(_ checklist: TerminalInspection.Checklist, expected: String?, at: Date) -> TerminalInspection {
        TerminalInspection(
            id: UUID(), terminalID: UUID(), checklist: checklist, expectedFirmware: expected, notes: nil,
            inspectedBy: "anna", inspectedAt: at)
    }

    @Test func everyItemMustHoldAndTheFirmwareMustMatch() {
        let good = TerminalInspection.Checklist(
            serialMatches: true, sealsIntact: true, noOverlayOrSkimmer: true, casingIntact: true,
            firmwareVersion: " 4.1.2 ")
        #expect(good.failures(expectedFirmware: "4.1.2") == [])
        #expect(good.failures(expectedFirmware: "4.1.3") == ["firmware_version"])
        #expect(good.failures(expectedFirmware: nil) == ["firmware_version"])
        var bad = good
        bad.sealsIntact = false
        bad.noOverlayOrSkimmer = false
        #expect(bad.failures(expectedFirmware: "4.1.2") == ["seals_intact", "no_overlay_or_skimmer"])
    }

    @Test func onlyAPassingInspectionSinceTheRecoveryClears() {
        let good = TerminalInspection.Checklist(
            serialMatches: true, sealsIntact: true, noOverlayOrSkimmer: true, casingIntact: true,
            firmwareVersion: "4.1.2")
        let recovered = now.addingTimeInterval(-60)
        #expect(TerminalInspection.clears(inspection(good, expected: "4.1.2", at: now), recoveredAt: recovered))
        #expect(
            !TerminalInspection.clears(inspection(good, expected: "4.1.2", at: recovered - 1), recoveredAt: recovered))
        #expect(!TerminalInspection.clears(inspection(good, expected: "9", at: now), recoveredAt: recovered))
        #expect(!TerminalInspection.clears(nil, recoveredAt: recovered))
        #expect(!TerminalInspection.clears(inspection(good, expected: "4.1.2", at: now), recoveredAt: nil))
    }
}
