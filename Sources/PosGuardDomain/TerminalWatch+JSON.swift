import Foundation

extension TerminalWatch {
    /// The watch as saved with every batch: the JSON its `Codable` conformance reads back, with the same keys
    /// as its synthesized encoding, written by hand because going through `Encodable` was a twentieth of the
    /// server's time under a fleet's load. Throws for a number or a date that is not finite.
    public func json() throws -> String {
        var w = JSONWriter()
        try w.object { w in
            w.member("lastSeq", lastSeq)
            w.key("missing")
            try w.array(missing) { w, gap in
                try w.object { w in
                    w.member("from", gap.from)
                    w.member("to", gap.to)
                    try w.member("since", gap.since)
                    try w.member("after", gap.after)
                }
            }
            try w.member("lastSeenAt", lastSeenAt)
            try w.member("reportingInterval", reportingInterval)
            w.member("iccid", iccid)
            w.key("failedLogins")
            try w.array(failedLogins) { w, stamp in try Self.write(stamp: stamp, to: &w) }
            w.key("refunds")
            try w.array(refunds) { w, refund in
                try w.object { w in
                    w.member("seq", refund.seq)
                    try w.member("at", refund.at)
                    w.member("amountMinor", refund.amountMinor)
                    w.member("approved", refund.approved)
                }
            }
            w.member("silence", silence.rawValue)
            try w.member("newestEventAt", newestEventAt)
            w.member("catchingUp", catchingUp)
            w.member("clockSkewed", clockSkewed)
            w.key("accuracies")
            try w.object { w in
                for (source, values) in accuracies {
                    w.key(source)
                    try w.array(values) { w, value in try w.value(value) }
                }
            }
            try Self.write(fix: lastSatelliteFix, as: "lastSatelliteFix", to: &w)
            try Self.write(fix: lastNetworkFix, as: "lastNetworkFix", to: &w)
            w.key("placings")
            w.array(placings) { w, placing in
                w.object { w in
                    w.member("seq", placing.seq)
                    w.member("outside", placing.outside)
                }
            }
            w.member("excursionReported", excursionReported)
            try w.member("lastFixSeenAt", lastFixSeenAt)
            w.member("fixSilenceReported", fixSilenceReported)
            w.key("vagueStreak")
            try w.array(vagueStreak) { w, stamp in try Self.write(stamp: stamp, to: &w) }
            w.member("placedBefore", placedBefore)
            try w.member("blackoutSince", blackoutSince)
            w.member("blackoutReported", blackoutReported)
            w.member("signedIn", signedIn)
        }
        return w.text
    }

    private static func write(stamp: Stamp, to w: inout JSONWriter) throws {
        try w.object { w in
            w.member("seq", stamp.seq)
            try w.member("at", stamp.at)
        }
    }

    private static func write(fix: Fix?, as name: String, to w: inout JSONWriter) throws {
        guard let fix else { return }
        w.key(name)
        try w.object { w in
            try w.member("latitude", fix.latitude)
            try w.member("longitude", fix.longitude)
            try w.member("accuracyM", fix.accuracyM)
            w.member("source", fix.source.rawValue)
            try w.member("at", fix.at)
        }
    }
}
