import Foundation

/// Opening hours per weekday in the store's own time zone, as ranges of minutes since midnight.
/// A weekday that is absent is a closed day. Written in JSON as `{"mon": ["08:00-12:00", "13:00-20:00"]}`.
public struct BusinessHours: Sendable, Equatable, Codable {
    public enum Weekday: String, CaseIterable, Sendable, Codable, CodingKeyRepresentable {
        case mon, tue, wed, thu, fri, sat, sun

        /// Gregorian calendar weekday number (1 = Sunday).
        public var calendarWeekday: Int { self == .sun ? 1 : Weekday.allCases.firstIndex(of: self)! + 2 }
    }

    public struct Range: Sendable, Equatable, Hashable {
        public var openMinute: Int
        public var closeMinute: Int
    }

    public private(set) var days: [Weekday: [Range]]

    public init(days: [Weekday: [Range]] = [:]) { self.days = days }

    /// Parses `{"mon": ["08:00-20:00"]}` text ranges, naming the offending entry on error.
    public static func parse(_ raw: [String: [String]], field: String = "business_hours") throws(ValidationFailure)
        -> BusinessHours
    {
        var days: [Weekday: [Range]] = [:]
        var errors: [FieldError] = []
        for (key, ranges) in raw.sorted(by: { $0.key < $1.key }) {
            guard let day = Weekday(rawValue: key) else {
                errors.append(FieldError("\(field).\(key)", "must be one of mon, tue, wed, thu, fri, sat, sun"))
                continue
            }
            var parsed: [Range] = []
            for (index, text) in ranges.enumerated() {
                guard let range = parseRange(text) else {
                    errors.append(FieldError("\(field).\(key)[\(index)]", "must be HH:MM-HH:MM with open before close"))
                    continue
                }
                parsed.append(range)
            }
            parsed.sort { $0.openMinute < $1.openMinute }
            for (a, b) in zip(parsed, parsed.dropFirst()) where b.openMinute < a.closeMinute {
                errors.append(FieldError("\(field).\(key)", "ranges must not overlap"))
            }
            days[day] = parsed
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        return BusinessHours(days: days)
    }

    /// The `{"mon": ["08:00-20:00"]}` form, for JSON and storage.
    public var textual: [String: [String]] {
        var out: [String: [String]] = [:]
        for (day, ranges) in days {
            out[day.rawValue] = ranges.map { "\(Self.clock($0.openMinute))-\(Self.clock($0.closeMinute))" }
        }
        return out
    }

    /// Whether the store is open at `date`, judged on the wall clock of `timeZone`.
    public func isOpen(at date: Date, in timeZone: TimeZone) -> Bool {
        let (weekday, minute) = Self.wallClock(at: date, in: timeZone)
        return days[weekday, default: []].contains { $0.openMinute <= minute && minute < $0.closeMinute }
    }

    /// The weekday and minute of the day on the wall clock of `timeZone` at `date`. Unix time counts no leap
    /// seconds, so both follow from the zone's offset at that instant by arithmetic; a calendar took a hundred
    /// times as long, for every sale and sign-in judged.
    static func wallClock(at date: Date, in timeZone: TimeZone) -> (Weekday, minute: Int) {
        let local = Int(date.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: date)
        let (day, second) = local.quotientAndRemainder(dividingBy: 86_400)
        let (wholeDay, secondOfDay) = second < 0 ? (day - 1, second + 86_400) : (day, second)
        // 1 January 1970 was a Thursday.
        let weekday = Weekday.allCases[((wholeDay + 3) % 7 + 7) % 7]
        return (weekday, secondOfDay / 60)
    }

    /// Reads hours stored as JSON text, as `encode(to:)` writes them; nil when they are not valid hours. Faster than
    /// a `JSONDecoder`: a fleet's cold terminals read their stores' rows by the thousand.
    public init?(json: String) {
        guard let object = (try? JSONValue.parse(json.utf8))?.object else { return nil }
        var raw: [String: [String]] = [:]
        for (day, ranges) in object {
            guard let ranges = ranges.array else { return nil }
            let texts = ranges.compactMap(\.string)
            guard texts.count == ranges.count else { return nil }
            raw[day] = texts
        }
        guard let hours = try? Self.parse(raw) else { return nil }
        self = hours
    }

    public init(from decoder: any Decoder) throws {
        let raw = try [String: [String]](from: decoder)
        do {
            self = try Self.parse(raw)
        } catch {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: error.errors.map(\.message).joined(separator: "; "))
            )
        }
    }

    public func encode(to encoder: any Encoder) throws { try textual.encode(to: encoder) }

    static func parseRange(_ text: String) -> Range? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let open = minute(of: parts[0]), let close = minute(of: parts[1]), open < close
        else { return nil }
        return Range(openMinute: open, closeMinute: close)
    }

    static func minute(of text: Substring) -> Int? {
        // Exactly two ASCII digits each side: no spaces, no sign.
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2,
            parts.allSatisfy({ $0.utf8.count == 2 && $0.utf8.allSatisfy { (48...57).contains($0) } }),
            let h = Int(parts[0]), let m = Int(parts[1]), (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 1440
        else { return nil }
        return h * 60 + m
    }

    static func clock(_ minute: Int) -> String {
        let h = minute / 60
        let m = minute % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
}
