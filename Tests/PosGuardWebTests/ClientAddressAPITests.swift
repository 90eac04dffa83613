import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PosGuardApp
import PosGuardDomain
import PosGuardTestSupport
import PosGuardWeb
import Testing

@Suite("Client address over a real socket")
struct ClientAddressAPITests {
    /// Signs in over loopback with an `X-Forwarded-For` header and answers the source the audit log recorded.
    func recordedSource(trusting proxies: [IPNetwork]) async throws -> String? {
        try await TestDatabase.sqlite.withMigrated { db async throws in
            let tenant = try await DemoTenant.load(on: db, http: HTTPSettings(trustedProxies: proxies))
            return try await tenant.application.test(.live) { client in
                let login = tenant.login("admin@harbour.demo")
                let body = #"{"email":"\#(login.email)","password":"\#(login.password)"}"#
                let response = try await client.execute(
                    uri: "/api/v1/session", method: .post,
                    headers: [.contentType: "application/json", HTTPField.Name("X-Forwarded-For")!: "203.0.113.7"],
                    body: ByteBuffer(string: body))
                #expect(response.status == .created)
                let admin = try await tenant.caller("admin@harbour.demo")
                let entries = try await tenant.app.auditLog.list(target: nil, after: nil, limit: 500, by: admin).items
                return entries.first { $0.action == "session.sign_in" }?.source
            }
        }
    }

    @Test func forwardedForCountsOnlyFromATrustedProxy() async throws {
        #expect(try await recordedSource(trusting: []) == "127.0.0.1")
        #expect(try await recordedSource(trusting: [try IPNetwork(cidr: "127.0.0.0/8")]) == "203.0.113.7")
    }
}
