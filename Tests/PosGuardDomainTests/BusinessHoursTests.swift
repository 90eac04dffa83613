import Foundation
import PosGuardDomain
import Testing

@Suite("Business hours and geofences")
struct BusinessHoursTests {
    let shanghai = TimeZone(identifier: "Asia/Shanghai")!

    /// 2026-11-23 is a Monday.
    func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func openingIsJudgedOnTheStoresWallClock() throws {
        let hours = try BusinessHours.parse(["mon": ["09:00-21:00"]])
        // 00:59 UTC is 08:59 in Shanghai: not yet open; 01:00 UTC is 09:00: open.
        #expect(!hours.isOpen(at: date("2026-11-23T00:59:00Z"), in: shanghai))
        #expect(hours.isOpen(at: date("2026-11-23T01:00:00Z"), in: shanghai))
        #expect(!hours.isOpen(at: date("2026-11-23T13:00:00Z"), in: shanghai))  // 21:00 closes
        #expect(!hours.isOpen(at: date("2026-11-24T02:00:00Z"), in: shanghai))  // Tuesday: closed
    }

    /// The wall clock is worked out from the zone's offset, not a calendar: it must agree with one at any
    /// instant, across daylight saving changes, half- and quarter-hour zones and before 1970.
    @Test func openingAgreesWithTheCalendarEverywhere() throws {
        let zones = [
            "UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "America/St_Johns",
            "Pacific/Chatham",
        ].map { TimeZone(identifier: $0)! }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let zone = zones.randomElement(using: &generator)!
            let instant = Date(timeIntervalSince1970: Double.random(in: -400_000_000...2_300_000_000))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let parts = calendar.dateComponents([.weekday, .hour, .minute], from: instant)
            let minute = parts.hour! * 60 + parts.minute!
            let day = BusinessHours.Weekday.allCases.first { $0.calendarWeekday == parts.weekday }!
            let otherDay = BusinessHours.Weekday.allCases.first { $0.calendarWeekday == parts.weekday! % 7 + 1 }!
            func range(_ from: Int) -> String {
                String(format: "%02d:%02d-%02d:%02d", from / 60, from % 60, (from + 1) / 60, (from + 1) % 60)
            }
            let open = try BusinessHours.parse([day.rawValue: [range(minute)]])
            #expect(open.isOpen(at: instant, in: zone), "\(instant) in \(zone.identifier)")
            let elsewhen = try BusinessHours.parse(
                [otherDay.rawValue: [range(minute)], day.rawValue: [range((minute + 1) % 1_439)]])
            #expect(!elsewhen.isOpen(at: instant, in: zone), "\(instant) in \(zone.identifier)")
        }
    }

    /// Stored hours are read back from their JSON text as `JSONDecoder` reads them, and nothing else is taken.
    @Test func storedHoursAreReadBackFromTheirText() throws {
        let hours = try BusinessHours.parse(["sun": ["00:00-24:00"], "sat": ["08:00-12:00", "13:00-18:00"]])
        let text = String(decoding: try JSONEncoder().encode(hours), as: UTF8.self)
        #expect(BusinessHours(json: text) == hours)
        #expect(BusinessHours(json: text) == (try JSONDecoder().decode(BusinessHours.self, from: Data(text.utf8))))
        #expect(BusinessHours(json: "{}") == BusinessHours())
        for bad in [
            #"{"mon": "08:00-20:00"}"#, #"{"mon": [800]}"#, #"{"someday": ["08:00-20:00"]}"#,
            #"{"mon": ["08:00-12:00", "11:00-13:00"]}"#, #"["mon"]"#, "not json",
        ] {
            #expect(BusinessHours(json: bad) == nil, "\(bad)")
        }
    }

    @Test func splitDaysAndAllDay() throws {
        let hours = try BusinessHours.parse(["sun": ["00:00-24:00"], "sat": ["08:00-12:00", "13:00-18:00"]])
        let utc = TimeZone(identifier: "UTC")!
        #expect(hours.isOpen(at: date("2026-11-29T23:59:00Z"), in: utc))
        #expect(!hours.isOpen(at: date("2026-11-28T12:30:00Z"), in: utc))
        #expect(hours.textual == ["sun": ["00:00-24:00"], "sat": ["08:00-12:00", "13:00-18:00"]])
    }

    @Test func badHoursNameTheEntry() {
        #expect(
            throws: ValidationFailure([
                FieldError("business_hours.mon[0]", "must be HH:MM-HH:MM with open before close"),
                FieldError("business_hours.xyz", "must be one of mon, tue, wed, thu, fri, sat, sun"),
            ])
        ) {
            try BusinessHours.parse(["mon": ["18:00-09:00"], "xyz": ["09:00-10:00"]])
        }
        #expect(throws: ValidationFailure.self) { try BusinessHours.parse(["tue": ["09:00-13:00", "12:00-15:00"]]) }
        #expect(throws: ValidationFailure.self) { try BusinessHours.parse(["tue": ["9:00-13:00"]]) }
        #expect(throws: ValidationFailure.self) { try BusinessHours.parse(["tue": ["09:00-24:30"]]) }
    }

    @Test func hoursAreExactlyTwoDigitsEachSide() {
        for text in [" 09:00-13:00", "09:00 - 13:00", "+9:00-13:00", "09:+1-13:00", "０９:00-13:00"] {
            #expect(throws: ValidationFailure.self, "\(text)") { try BusinessHours.parse(["tue": [text]]) }
        }
    }

    @Test func geofenceDistanceAndLimits() {
        let berlin = Geofence(latitude: 52.5200, longitude: 13.4050, radiusM: 100)
        let munich = (48.1351, 11.5820)
        #expect(abs(berlin.distance(toLatitude: munich.0, longitude: munich.1) - 504_000) < 3_000)
        #expect(berlin.distance(toLatitude: 52.5200, longitude: 13.4050) == 0)
        var v = Validator()
        Geofence(latitude: 91, longitude: 13, radiusM: 5).validate(into: &v)
        #expect(v.errors.map(\.field) == ["geofence.latitude", "geofence.radius_m"])
    }

    @Test func storesAreCheckedFieldByField() throws {
        let store = Store(
            id: UUID(), providerID: UUID(), merchantID: UUID(), code: "bad code", name: " ", address: "1 Road",
            city: "X",
            country: "Germany", timeZone: "Mars/Olympus", businessHours: BusinessHours(),
            geofence: Geofence(latitude: 0, longitude: 0, radiusM: 100), createdAt: Date())
        let failure = try #require(throws: ValidationFailure.self) { try store.validate() }
        #expect(failure.errors.map(\.field) == ["code", "name", "country", "time_zone"])
    }

    @Test func textLengthCountsCodePointsAsSent() {
        // As the OpenAPI document's maxLength counts: spaces that are trimmed and combining marks count too.
        var v = Validator()
        #expect(v.text(" 12345678", "tid", max: 8) == "12345678")
        #expect(v.text("Cafe\u{0301}", "name", max: 4) == "Cafe\u{0301}")
        #expect(v.text("Café", "city", max: 4) == "Café")
        #expect(v.errors.map(\.field) == ["tid", "name"])
    }
}
