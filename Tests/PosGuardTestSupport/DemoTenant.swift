import Foundation
import PosGuardApp
import PosGuardDomain
import PosGuardServices
import PosGuardStorage
import PosGuardWeb

/// The demo tenant loaded into a test database by the application `serve` runs, with handles on its parts.
public struct DemoTenant: Sendable {
    /// The instance over the test database (`PosGuardConfiguration.test`).
    public let application: PosGuardApplication
    public let clock: TestClock

    public var app: PosGuard { application.posGuard }

    /// Loads the demo tenant with cheap bcrypt so tests stay fast, its secrets sealed under a random master key
    /// checked against the database as at a real start. `webhookAllow` lets webhooks reach test receivers on
    /// loopback; `http` sets the metrics token and trusted proxies; `configure` changes anything else.
    public static func load(
        on db: Database, clock: TestClock = TestClock(), smtp: SMTPSettings? = nil,
        secrets: SecretBox = .random(), webhookAllow: [IPNetwork] = [], http: HTTPSettings = HTTPSettings(),
        configure: (inout PosGuardConfiguration) -> Void = { _ in }
    ) async throws -> DemoTenant {
        try await SealedSecrets.adopt(secrets, in: db, at: clock.now)
        var configuration = PosGuardConfiguration.test(
            Runtime(database: db, secrets: secrets, now: clock.function))
        configuration.http = http
        configuration.webhookAllow = webhookAllow
        configuration.smtp = smtp
        configuration.demo = true
        configure(&configuration)
        return DemoTenant(application: try await buildApplication(configuration), clock: clock)
    }

    /// Another provider beside the demo one, with one merchant and one store (`code`), and its system caller:
    /// a second tenant to check that nothing of one is seen or refused because of the other.
    public func otherProvider(storeCode code: String = "OTHER-01") async throws -> (caller: Caller, store: Store) {
        let provider = Provider(id: app.runtime.ids.next(), name: "Other Acquiring \(UUID().uuidString.prefix(8))")
        try await app.runtime.database.withConnection {
            try await ProviderRepository().insert(provider, at: app.runtime.now(), on: $0)
        }
        let caller = Caller.system("other-provider", provider: provider.id, at: app.runtime.now())
        let merchant = try await app.merchants.create(.init(name: "Other Merchant"), by: caller)
        let store = try await app.stores.create(
            .init(
                merchantID: merchant.id, code: code, name: "Other Store", address: "1 Other St", city: "Vienna",
                country: "AT", timeZone: "Europe/Vienna",
                businessHours: try BusinessHours.parse(["mon": ["08:00-18:00"]]),
                geofence: Geofence(latitude: 48.2, longitude: 16.37, radiusM: 100)),
            by: caller)
        return (caller, store)
    }

    public func login(_ email: String) -> DemoData.Login { DemoData.logins.first { $0.email == email }! }

    /// A signed-in caller for a demo user.
    public func caller(_ email: String) async throws -> Caller {
        let signedIn = try await app.authentication.signIn(
            email: email, password: login(email).password, totp: nil, source: nil)
        return try await app.authentication.caller(token: signedIn.token, source: nil)
    }

    /// Every terminal the caller sees, across all pages.
    public func allTerminals(_ caller: Caller, filter: TerminalFilter = .init()) async throws -> [Terminal] {
        var all: [Terminal] = []
        var cursor: Cursor? = nil
        repeat {
            let page = try await app.terminals.list(filter, after: cursor, limit: 7, by: caller)
            all += page.items
            cursor = page.next
        } while cursor != nil
        return all
    }
}
