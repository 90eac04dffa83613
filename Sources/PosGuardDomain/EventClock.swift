import Foundation

/// How far a terminal's own clock is believed. Rules judge an event by its `at`, which a thief who has read
/// the rules can set to anything: an after-hours sale stamped in hours, a refund burst spread over a day.
/// So an event's time is believed only where an honest agent could have written it:
///
/// - the batch's newest new event is at most `clock_skew_minutes` old when received, or it happened after
///   the terminal's last contact (events buffered while out of touch), or the terminal is catching up on
///   such a backlog: its events advancing at least `catchUpRate` times faster than real time;
/// - each new event is no earlier, beyond the skew, than events numbered before it;
/// - an event filling a hole in the numbering lies between the newest event seen when the hole opened and
///   the newest seen since (a thief cannot backdate an event by leaving a number out and sending it later).
///
/// An event not believed is judged at the time the server received it, and the terminal's clock is reported
/// once per episode (`clock_skew`). Events from further in the future than the skew are refused in
/// `BatchPlan`, with the same finding.
public enum EventClock {
    /// How much faster than real time a terminal's events must advance for a backlog still being sent to
    /// be believed: an agent sends what it buffered as fast as it can.
    public static let catchUpRate = 10.0

    public struct Judgement: Sendable, Equatable {
        /// The events in the order given, each stamped with the time it is judged at.
        public var events: [AgentEvent]
        public var finding: Finding?
    }

    /// Judges the times of a batch's fresh events at `now`; `highestBefore` is the highest event number
    /// settled before the batch and `holes` the numbers then awaited. Updates the clock's memory in `watch`.
    /// `refusedFuture` says the batch also held events from the future, so the episode goes on.
    public static func judge(
        _ events: [AgentEvent], highestBefore: Int64, holes: [MissingEvents], watch: inout TerminalWatch,
        skew: TimeInterval, now: Date, refusedFuture: Bool = false
    ) -> Judgement {
        let new = events.filter { $0.seq > highestBefore }.sorted { $0.seq < $1.seq }
        var believed = Set(
            events.filter { $0.seq <= highestBefore && fills($0, holes: holes, watch: watch, skew: skew) }.map(\.seq))
        if let newest = new.map(\.at).max() {
            let batchBelieved = believes(newest: newest, watch: &watch, skew: skew, now: now)
            var latest = watch.newestEventAt ?? .distantPast
            for event in new where batchBelieved && event.at >= latest.addingTimeInterval(-skew) {
                believed.insert(event.seq)
                latest = max(latest, event.at)
            }
            if batchBelieved { watch.newestEventAt = latest }
        }
        let doubted = events.filter { !believed.contains($0.seq) }
        let judged = events.map { believed.contains($0.seq) ? $0 : $0.stamped(now) }
        guard let first = doubted.min(by: { $0.seq < $1.seq }) else {
            if !new.isEmpty, !watch.catchingUp, !refusedFuture { watch.clockSkewed = false }
            return Judgement(events: judged, finding: nil)
        }
        return Judgement(events: judged, finding: skewFound(first, watch: &watch, now: now))
    }

    /// The finding for events stamped further ahead than the skew allows, which are refused.
    public static func future(_ seqs: [Int64], latest: Date, watch: inout TerminalWatch, now: Date) -> Finding? {
        guard let first = seqs.min() else { return nil }
        return report(
            "event #\(first) is stamped \(span(latest.timeIntervalSince(now))) ahead of the server's clock: refused",
            seq: first, watch: &watch, now: now)
    }

    /// Whether the batch whose newest new event is `newest` is believed, updating the catching-up memory.
    static func believes(newest: Date, watch: inout TerminalWatch, skew: TimeInterval, now: Date) -> Bool {
        let lag = now.timeIntervalSince(newest)
        if lag <= skew {
            watch.catchingUp = false
            return true
        }
        guard let seen = watch.lastSeenAt else {
            watch.catchingUp = true
            return true
        }
        let sinceContact = newest >= seen.addingTimeInterval(-skew)
        let advancing =
            watch.catchingUp
            && newest.timeIntervalSince(watch.newestEventAt ?? .distantFuture)
                >= catchUpRate * now.timeIntervalSince(seen)
        // A batch not believed leaves a backlog being sent as it was: its next batches are judged as before.
        guard sinceContact || advancing else { return false }
        watch.catchingUp = true
        return true
    }

    /// Whether an event resent into a hole is believed: it happened after the newest event seen when the
    /// hole opened, and before the newest one seen now.
    static func fills(_ event: AgentEvent, holes: [MissingEvents], watch: TerminalWatch, skew: TimeInterval) -> Bool {
        let hole = holes.first { $0.from <= event.seq && event.seq <= $0.to }
        if let after = hole?.after, event.at < after.addingTimeInterval(-skew) { return false }
        guard let newest = watch.newestEventAt else { return true }
        return event.at <= newest.addingTimeInterval(skew)
    }

    static func skewFound(_ event: AgentEvent, watch: inout TerminalWatch, now: Date) -> Finding? {
        let off = now.timeIntervalSince(event.at)
        let contact =
            watch.lastSeenAt.map { ", though the terminal was in touch \(span(now.timeIntervalSince($0))) earlier" }
            ?? ""
        return report(
            "event #\(event.seq) is stamped \(span(abs(off))) \(off >= 0 ? "before" : "after") it was received\(contact): "
                + "its clock is not believed, and rules judge its events by the time received",
            seq: event.seq, watch: &watch, now: now)
    }

    /// One finding per episode: none while the terminal's clock is already known to be off.
    static func report(_ message: String, seq: Int64, watch: inout TerminalWatch, now: Date) -> Finding? {
        guard !watch.clockSkewed else { return nil }
        watch.clockSkewed = true
        return Finding(rule: .clockSkew, severity: .warning, message: message, evidence: [seq], at: now)
    }

    /// A duration as people read it: "45 s", "12 min", "8 h 55 min", "3 days".
    static func span(_ seconds: TimeInterval) -> String {
        let s = Int(seconds.rounded())
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min" }
        if s < 172_800 { return "\(s / 3600) h \(s % 3600 / 60) min" }
        return "\(s / 86_400) days"
    }
}

extension AgentEvent {
    /// The event judged at `time`: a location's fix is dated with it.
    func stamped(_ time: Date) -> AgentEvent {
        var event = self
        event.at = time
        if case .location(var fix) = body {
            fix.at = time
            event.body = .location(fix)
        }
        return event
    }
}
