import Foundation
import PosGuardDomain
import Testing

@Suite("Batch plan")
struct BatchPlanTests {
    let terminal = UUID()
    /// Monday 2026-11-23 10:00 in Berlin, inside the bakery's hours.
    let now = Date(timeIntervalSince1970: 1_795_424_400)
    let context = DetectionContext(
        geofence: Geofence(latitude: 52.5010, longitude: 13.4190, radiusM: 150),
        hours: try! BusinessHours.parse(["mon": ["06:30-18:30"]]), timeZone: TimeZone(identifier: "Europe/Berlin")!,
        roster: [], registeredICCID: nil, settings: DetectionSettings())

    func heartbeat(_ seq: Int64) -> BatchPlan.Entry {
        .accepted(
            AgentEvent(seq: seq, at: now, body: .heartbeat(battery: 80, charging: nil, network: nil, ip: nil)),
            json: "{\"seq\":\(seq)}")
    }

    func sim(_ seq: Int64, _ iccid: String) -> BatchPlan.Entry {
        .accepted(AgentEvent(seq: seq, at: now, body: .sim(iccid: iccid)), json: "{\"seq\":\(seq)}")
    }

    func plan(_ entries: [BatchPlan.Entry], watch: TerminalWatch = TerminalWatch(), context: DetectionContext? = nil)
        -> BatchPlan
    {
        BatchPlan(
            entries, terminal: terminal, watch: watch, store: StoreWatch(), context: context ?? self.context, at: now)
    }

    @Test func resentEventsAreLeftOutAndTheAcknowledgementStopsBelowAHole() {
        let first = plan([heartbeat(1), heartbeat(2), heartbeat(5)])
        #expect(first.fresh.map(\.event.seq) == [1, 2, 5])
        #expect(first.ackedSeq == 2 && first.missing == [3...4])
        #expect(first.findings.isEmpty && first.refused.isEmpty)
        #expect(first.watch.lastSeenAt == now && first.watch.silence == .none)
        let again = plan([heartbeat(2), heartbeat(3), heartbeat(4), heartbeat(5)], watch: first.watch)
        #expect(again.fresh.map(\.event.seq) == [3, 4], "2 and 5 were stored already")
        #expect(again.ackedSeq == 5 && again.missing.isEmpty)
    }

    @Test func numbersDeclaredLostAreAFindingAndSettled() {
        let first = plan([heartbeat(1), heartbeat(4)])
        let gap = BatchPlan.Entry.accepted(AgentEvent(seq: 5, at: now, body: .gap(from: 2, to: 3)), json: "{}")
        let declared = plan([gap], watch: first.watch)
        #expect(declared.findings.map(\.rule) == [.eventGap])
        #expect(declared.findings.first?.message == "2 events #2–#3 lost on the terminal (declared by event #5)")
        #expect(declared.ackedSeq == 5 && declared.missing.isEmpty)
    }

    @Test func aNumberFarAheadIsRefusedInTheOrderSentAndFoundOnce() {
        let refused = BatchPlan.Entry.refused(BatchPlan.Refused(seq: 2, reason: "type is required"))
        let result = plan([heartbeat(1), heartbeat(500_000), refused, heartbeat(600_000)])
        #expect(
            result.refused == [
                BatchPlan.Refused(
                    seq: 500_000, reason: "seq 500000 is more than 100000 past acked_seq 0: refused and not counted"),
                BatchPlan.Refused(seq: 2, reason: "type is required"),
                BatchPlan.Refused(
                    seq: 600_000, reason: "seq 600000 is more than 100000 past acked_seq 0: refused and not counted"),
            ])
        #expect(
            result.findings.map(\.message) == [
                "event #500000 (and 1 more) refused: numbered more than 100000 past the acknowledged #0"
            ])
        #expect(result.fresh.map(\.event.seq) == [1] && result.ackedSeq == 2, "the refused 2 is settled")
    }

    @Test func aTerminalWithoutASIMAdoptsTheFirstItReports() {
        let iccid = "8949000000000000001"
        #expect(plan([sim(1, iccid), sim(2, "8949000000000000002")]).adoptedICCID == iccid)
        var registered = context
        registered.registeredICCID = "8949000000000000009"
        #expect(plan([sim(1, iccid)], context: registered).adoptedICCID == nil)
        var allowed = context
        allowed.settings.allowedICCIDs = [iccid]
        #expect(plan([sim(1, iccid)], context: allowed).adoptedICCID == nil)
        let seen = plan([sim(1, iccid)])
        #expect(plan([sim(1, iccid)], watch: seen.watch).adoptedICCID == nil, "a resent event adopts nothing")
    }

    @Test func entriesAreReadFromTheBatchAndRefundsConcernTheStore() throws {
        let batch = try JSONValue.parse(
            Array(
                """
                [{"seq": 1, "type": "transaction", "at": "2026-11-23T09:00:00Z", "kind": "refund",
                  "amount_minor": 500, "currency": "EUR", "approved": true}, 7, {"seq": 2}]
                """.utf8))
        let entries = (batch.array ?? []).map { BatchPlan.Entry($0) }
        #expect(entries.count == 3 && entries[0].event?.seq == 1)
        #expect(entries[1] == .refused(BatchPlan.Refused(seq: nil, reason: "each event must be a JSON object")))
        #expect(entries[2] == .refused(BatchPlan.Refused(seq: 2, reason: "type is required")))
        #expect(BatchPlan.concernsStore(entries))
        #expect(!BatchPlan.concernsStore([heartbeat(1)]))
        let declined = AgentEvent(
            seq: 1, at: now,
            body: .transaction(.refund, amountMinor: 100, currency: "EUR", approved: false, panLast4: nil))
        #expect(BatchPlan.concernsStore([.accepted(declined, json: "{}")]), "declined refunds count towards bursts")
        let refund = plan(entries)
        #expect(refund.storeWatch.refunds.map(\.amountMinor) == [500])
    }
}
