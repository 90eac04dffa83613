import Foundation

/// An acquirer, POS vendor or service company: the root of one tenant's tree.
public struct Provider: Sendable, Equatable, Codable {
    public var id: UUID
    public var name: String

    public init(id: UUID, name: String) {
        self.id = id
        self.name = name
    }
}

/// A business that takes payments with the provider's terminals.
public struct Merchant: Sendable, Equatable, Codable {
    public var id: UUID
    public var providerID: UUID
    public var name: String
    /// Where security alerts for the merchant go, besides the store managers.
    public var securityContactEmail: String?
    public var createdAt: Date

    public init(id: UUID, providerID: UUID, name: String, securityContactEmail: String?, createdAt: Date) {
        self.id = id
        self.providerID = providerID
        self.name = name
        self.securityContactEmail = securityContactEmail
        self.createdAt = createdAt
    }
}

/// One shop of a merchant: its address, time zone, opening hours and premises.
public struct Store: Sendable, Equatable, Codable {
    public var id: UUID
    public var providerID: UUID
    public var merchantID: UUID
    /// Short reference unique within the provider, used in CSV imports (e.g. `SHA-01`).
    public var code: String
    public var name: String
    public var address: String
    public var city: String
    public var country: String
    public var timeZone: String
    public var businessHours: BusinessHours
    public var geofence: Geofence
    public var createdAt: Date

    public init(
        id: UUID, providerID: UUID, merchantID: UUID, code: String, name: String, address: String, city: String,
        country: String, timeZone: String, businessHours: BusinessHours, geofence: Geofence, createdAt: Date
    ) {
        self.id = id
        self.providerID = providerID
        self.merchantID = merchantID
        self.code = code
        self.name = name
        self.address = address
        self.city = city
        self.country = country
        self.timeZone = timeZone
        self.businessHours = businessHours
        self.geofence = geofence
        self.createdAt = createdAt
    }

    /// The time zone the store's hours are kept in. Zones are checked when a store is written, so this is
    /// the stored zone; one the server's time zone database no longer knows (a zone dropped by an update of
    /// the operating system after the store was saved) reads as UTC, the one place that choice is made.
    public var zone: TimeZone { TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")! }

    /// Checks every field a client can set, collecting all problems.
    public func validate() throws(ValidationFailure) {
        var v = Validator()
        v.text(code, "code", max: 32)
        v.check(
            code.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }, "code",
            "may hold only letters, digits, '-' and '_'")
        v.text(name, "name", max: 200)
        v.text(address, "address", max: 500, multiline: true)
        v.text(city, "city", max: 200)
        v.check(
            ISOCode.isCountry(country), "country",
            "must be an ISO 3166-1 alpha-2 code such as CN or DE")
        v.check(TimeZone(identifier: timeZone) != nil, "time_zone", "must be an IANA time zone such as Asia/Shanghai")
        geofence.validate(into: &v)
        if !v.errors.isEmpty { throw ValidationFailure(v.errors) }
    }
}

extension Merchant {
    public func validate() throws(ValidationFailure) {
        var v = Validator()
        v.text(name, "name", max: 200)
        if let email = securityContactEmail {
            v.check(EmailAddress.isValid(email), "security_contact_email", "must be an email address")
        }
        if !v.errors.isEmpty { throw ValidationFailure(v.errors) }
    }
}

/// Email addresses as PosGuard keeps them: trimmed, lower-cased, plausibly shaped.
public enum EmailAddress {
    /// The form emails are stored and compared in: trimmed, Unicode NFC (so a composed and a decomposed
    /// `ü` are one address), lowercase.
    public static func normalise(_ text: String) -> String {
        text.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping.lowercased()
    }

    /// An address of printable ASCII only (an internationalised domain in its `xn--` form): every other
    /// script has letters that look like Latin ones, and an email is who signs in and who the audit log names.
    /// Nor may it hold card data, whatever route it comes by.
    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return text.count <= 254 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !parts[1].hasPrefix(".") && !parts[1].hasSuffix(".") && !text.contains(where: \.isWhitespace)
            && text.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) }
            && !CardDataScan.containsCardData(text)
    }
}
