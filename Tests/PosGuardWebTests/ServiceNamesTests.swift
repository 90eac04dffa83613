import PosGuardApp
import PosGuardServices
import PosGuardTestSupport
import Testing

/// The service group logs each service's description when it starts (at debug) and with any error a service
/// ends with: no description may hold a secret the application was given.
@Suite("Service names")
struct ServiceNamesTests {
    @Test(arguments: TestDatabase.available)
    func noServiceDescribesTheSecretsItHolds(kind: TestDatabase) async throws {
        let password = "mail-relay-secret-7Q"
        try await kind.withMigrated { db in
            let tenant = try await DemoTenant.load(
                on: db,
                smtp: SMTPSettings(
                    host: "127.0.0.1", port: 2525, username: "alerts", password: password, from: "a@b.test")
            ) {
                $0.jobs = .all
                $0.iso8583Port = 0
            }
            let application = tenant.application
            let described = [application.description, "\(application)"] + application.services.map { "\($0)" }
            #expect(application.services.count >= 2, "the gateway and the jobs are among them")
            let secrets = [password] + application.demoLogins.map(\.password)
            #expect(!application.demoLogins.isEmpty)
            for text in described {
                #expect(!secrets.contains { text.contains($0) }, "\(text)")
            }
            let settings = SMTPSettings(host: "mail.test", username: "alerts", password: password, from: "a@b.test")
            #expect("\(settings)" == "SMTP alerts@mail.test:587, from a@b.test, with a password")
            #expect(!"\([settings])".contains(password) && !String(reflecting: settings).contains(password))
        }
    }
}
