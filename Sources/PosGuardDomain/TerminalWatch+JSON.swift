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

extension TerminalWatch {
    /// A saved watch that cannot be read: the field that is wrong.
    public struct Unreadable: Error, Equatable, Sendable {
        public var field: String
    }

    /// Reads a saved watch exactly as its `Decodable` conformance does (what an older one did not keep starts
    /// empty), by hand: a start reads every terminal's watch, and through `Decodable` that was two thirds of
    /// the time a server with 600,000 terminals took to start.
    public init(json text: String) throws {
        let o = try Fields(JSONValue.parse(Array(text.utf8)), path: "")
        lastSeq = try o.int("lastSeq")
        missing = try o.list("missing") { m in
            MissingEvents(
                from: try m.int("from"), to: try m.int("to"), since: try m.date("since"),
                after: try m.optional("after", Fields.date))
        }
        lastSeenAt = try o.optional("lastSeenAt", Fields.date)
        reportingInterval = try o.optional("reportingInterval", Fields.number)
        iccid = try o.optional("iccid", Fields.text)
        failedLogins = try o.list("failedLogins", required: true, Self.stamp)
        refunds = try o.list("refunds", required: true) { r in
            Refund(
                seq: try r.int("seq"), at: try r.date("at"), amountMinor: try r.int("amountMinor"),
                approved: try r.flag("approved"))
        }
        guard let silence = Silence(rawValue: try o.text("silence")) else { throw Unreadable(field: "silence") }
        self.silence = silence
        newestEventAt = try o.optional("newestEventAt", Fields.date)
        catchingUp = try o.optional("catchingUp", Fields.flag) ?? false
        clockSkewed = try o.optional("clockSkewed", Fields.flag) ?? false
        accuracies =
            try o.optional("accuracies") { value, field in
                let sources = try Fields(value, path: field)
                // Built to its size: a parsed object keeps room for more, and a server holds one per terminal.
                return Dictionary(
                    uniqueKeysWithValues: try sources.members.keys.map { ($0, try sources.list($0, Fields.number)) })
            } ?? [:]
        lastSatelliteFix = try o.optional("lastSatelliteFix", Self.fix)
        lastNetworkFix = try o.optional("lastNetworkFix", Self.fix)
        // A watch saved before placings were kept had only its streak of fixes outside.
        if o.has("placings") {
            placings = try o.list("placings") { p in Placing(seq: try p.int("seq"), outside: try p.flag("outside")) }
        } else {
            placings = try o.list("outsideStreak", Fields.int).map { Placing(seq: $0, outside: true) }
        }
        excursionReported = try o.optional("excursionReported", Fields.flag) ?? false
        lastFixSeenAt = try o.optional("lastFixSeenAt", Fields.date)
        fixSilenceReported = try o.optional("fixSilenceReported", Fields.flag) ?? false
        vagueStreak = try o.list("vagueStreak", Self.stamp)
        placedBefore = try o.optional("placedBefore", Fields.flag) ?? false
        blackoutSince = try o.optional("blackoutSince", Fields.date)
        blackoutReported = try o.optional("blackoutReported", Fields.flag) ?? false
        signedIn = try o.optional("signedIn", Fields.text)
    }

    private static func stamp(_ s: Fields) throws -> Stamp { Stamp(seq: try s.int("seq"), at: try s.date("at")) }

    private static func fix(_ value: JSONValue, _ field: String) throws -> Fix {
        let f = try Fields(value, path: field)
        guard let source = AgentEvent.FixSource(rawValue: try f.text("source")) else {
            throw Unreadable(field: field + ".source")
        }
        return Fix(
            latitude: try f.number("latitude"), longitude: try f.number("longitude"),
            accuracyM: try f.number("accuracyM"), source: source, at: try f.date("at"))
    }

    /// An object's members, read as `Decodable` reads them: an absent or null optional is nil, anything of
    /// the wrong kind is refused by its path. Dates are milliseconds since 1970.
    struct Fields {
        let members: [String: JSONValue]
        let path: String

        init(_ value: JSONValue, path: String) throws {
            guard let members = value.object else { throw Unreadable(field: path.isEmpty ? "watch" : path) }
            self.members = members
            self.path = path
        }

        func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

        func required<T>(_ key: String, _ read: (JSONValue, String) throws -> T) throws -> T {
            guard let value = members[key] else { throw Unreadable(field: name(key)) }
            return try read(value, name(key))
        }

        func optional<T>(_ key: String, _ read: (JSONValue, String) throws -> T) throws -> T? {
            guard let value = members[key], value != .null else { return nil }
            return try read(value, name(key))
        }

        /// Whether the member is there and not null.
        func has(_ key: String) -> Bool { members[key].map { $0 != .null } ?? false }

        /// The objects of an array, each read by `read`; empty when absent or null, unless `required`.
        func list<T>(_ key: String, required: Bool = false, _ read: (Fields) throws -> T) throws -> [T] {
            try list(key, required: required) { value, field in try read(Fields(value, path: field)) }
        }

        /// The items of an array, each read by `read`; empty when absent or null, unless `required`.
        func list<T>(_ key: String, required: Bool = false, _ read: (JSONValue, String) throws -> T) throws -> [T] {
            guard has(key) else {
                if required { throw Unreadable(field: name(key)) }
                return []
            }
            guard let items = members[key]?.array else { throw Unreadable(field: name(key)) }
            return try items.enumerated().map { try read($1, "\(name(key))[\($0)]") }
        }

        func int(_ key: String) throws -> Int64 { try required(key, Self.int) }
        func number(_ key: String) throws -> Double { try required(key, Self.number) }
        func date(_ key: String) throws -> Date { try required(key, Self.date) }
        func flag(_ key: String) throws -> Bool { try required(key, Self.flag) }
        func text(_ key: String) throws -> String { try required(key, Self.text) }

        static func int(_ value: JSONValue, _ field: String) throws -> Int64 { try read(value.integer, field) }
        static func number(_ value: JSONValue, _ field: String) throws -> Double { try read(value.number, field) }
        static func flag(_ value: JSONValue, _ field: String) throws -> Bool { try read(value.bool, field) }
        static func text(_ value: JSONValue, _ field: String) throws -> String { try read(value.string, field) }

        static func date(_ value: JSONValue, _ field: String) throws -> Date {
            Date(timeIntervalSince1970: try number(value, field) / 1000)
        }

        /// The value, if it was of the kind asked for.
        private static func read<T>(_ value: T?, _ field: String) throws -> T {
            guard let value else { throw Unreadable(field: field) }
            return value
        }
    }
}
